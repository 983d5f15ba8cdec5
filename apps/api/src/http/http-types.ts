import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The little of Express's request and response the api uses (the project carries no
 * @types/express; Express 5 extends Node's own classes).
 */
export interface HttpRequest extends IncomingMessage {
  method: string;
  query: Record<string, unknown>;
}

export interface HttpResponse extends ServerResponse {
  status(code: number): HttpResponse;
  json(body: unknown): HttpResponse;
}
