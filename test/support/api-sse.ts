export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A Server-Sent Events client over fetch (EventSource cannot send an Authorization header):
 * parses events as they stream in, per the WHATWG EventSource format.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  /** Every `id:` the stream carried, with or without data (an EventSource remembers each one). */
  readonly ids: string[] = [];
  status = 0;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: client.abort.signal });
    client.status = response.status;
    if (response.ok && response.body) client.done = client.read(response.body);
    else await response.text();
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || !line) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') {
              event.id = value;
              this.ids.push(value);
            }
            else if (field === 'event') event.event = value;
            else if (field === 'data') data.push(value);
          }
          if (data.length) {
            event.data = data.join('\n');
            this.events.push(event);
          }
        }
      }
    } catch {
      // aborted
    }
  }

  /** Parsed `data` of every event so far. */
  get payloads(): any[] {
    return this.events.map((e) => JSON.parse(e.data));
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
