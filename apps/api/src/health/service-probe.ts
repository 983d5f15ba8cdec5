import { Injectable } from '@nestjs/common';

/** HTTP GETs to the other services' /health and /metrics on this machine (loopback). */
@Injectable()
export class ServiceProbe {
  async json(url: string, timeoutMs = 2000): Promise<{ ok: boolean; body?: Record<string, unknown>; error?: string }> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json()) as Record<string, unknown>;
      return { ok: response.ok && body.status === 'ok', body };
    } catch (error) {
      return { ok: false, error: (error as Error).name === 'TimeoutError' ? 'timed out' : 'not reachable' };
    }
  }

  async text(url: string, timeoutMs = 2000): Promise<string | undefined> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return response.ok ? await response.text() : undefined;
    } catch {
      return undefined;
    }
  }
}
