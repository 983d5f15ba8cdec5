import { Injectable } from '@nestjs/common';
import type { OutgoingRequest } from './channel-formats.js';

/** The one place the api makes outgoing HTTP calls (notification channels). */
@Injectable()
export class HttpSender {
  async send(request: OutgoingRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const body = (await response.text()).slice(0, 4096);
    return { status: response.status, body };
  }
}
