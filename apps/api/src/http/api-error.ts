import { HttpException } from '@nestjs/common';

/**
 * The one error body of the HTTP API (documented in the OpenAPI document as `Error`):
 *   { "error": { "code": "bad_parameter", "message": "every: expected …", "parameter": "every" } }
 * `parameter` is present on 400s and names the query parameter, path parameter or body field.
 */
export const ERROR_CODES = {
  bad_parameter: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  internal: 500,
  not_implemented: 501,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; parameter?: string };
}

export class ApiError extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly parameter?: string,
  ) {
    super(message, ERROR_CODES[code]);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.parameter ? { parameter: this.parameter } : {}) } };
  }
}

export const badParameter = (parameter: string, message: string) => new ApiError('bad_parameter', message, parameter);
export const forbidden = (message: string) => new ApiError('forbidden', message);
export const notFound = (message: string) => new ApiError('not_found', message);
export const conflict = (message: string) => new ApiError('conflict', message);
