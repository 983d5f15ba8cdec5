import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The answer this request got. */
  status: number;
}

/**
 * A real HTTP server on a free loopback port standing in for a webhook, a WeCom, DingTalk or
 * Feishu robot: records every request, and answers the first `failFirst` with HTTP 500, then
 * with `answer` (the robots' success bodies by default).
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: { failFirst?: number; answer?: { status: number; body: string } } = {}): Promise<Receiver> {
    let receiver: Receiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const failing = receiver!.requests.length < (options.failFirst ?? 0);
        const answer = failing ? { status: 500, body: 'temporarily broken' } : (options.answer ?? { status: 200, body: '{"errcode":0,"errmsg":"ok","code":0}' });
        receiver!.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: answer.status });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return receiver;
  }

  /** Requests that were answered with success. */
  get accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
