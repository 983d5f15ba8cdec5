import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { HttpResponse as Response } from './http-types.js';
import { ApiError, type ErrorBody, type ErrorCode } from './api-error.js';

const BY_STATUS: Record<number, ErrorCode> = { 400: 'bad_parameter', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 501: 'not_implemented', 503: 'unavailable' };

/**
 * Every error leaves the API in the one body shape. Our ApiErrors carry their own answer; the
 * framework's (unknown route, malformed JSON body, body too large) are mapped by status with a
 * generic message; anything else is a 500 that names only a reference, and the log line with the
 * same reference holds the real error. Nothing of an unexpected error reaches the caller.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.answer(exception);
    if (response.headersSent) {
      if (!response.writableEnded) response.end();
      return;
    }
    response.status(status).json(body);
  }

  answer(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof ApiError) return { status: exception.getStatus(), body: exception.body() };
    if (exception instanceof HttpException && BY_STATUS[exception.getStatus()]) {
      const status = exception.getStatus();
      const code = BY_STATUS[status];
      const message = status === 404 ? 'no such resource' : status === 400 ? 'malformed request body: expected JSON' : status === 413 ? 'request body too large' : code.replace('_', ' ');
      return { status, body: { error: { code, message, ...(status === 400 ? { parameter: 'body' } : {}) } } };
    }
    const ref = randomUUID();
    this.logger.error(`unexpected error (ref ${ref}): ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    return { status: 500, body: { error: { code: 'internal', message: `internal error (ref ${ref})` } } };
  }
}
