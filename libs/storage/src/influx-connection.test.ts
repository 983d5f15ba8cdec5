import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { HttpError } from '@influxdata/influxdb-client';
import { InfluxConnection, InfluxQueryError, httpStatusOf, influxIdentifier, influxString, isRetriableWriteError } from './influx-connection.js';

/**
 * Reads one InfluxQL quoted token starting at text[0] the way InfluxQL's scanner does
 * (github.com/influxdata/influxql scanner.go, ScanString: backslash escapes \\ \' \" \n; the
 * quote that opened the token ends it). Returns the decoded value and where the token ended.
 */
function scanQuoted(text: string): { value: string; end: number } {
  const quoteChar = text[0];
  assert.ok(quoteChar === "'" || quoteChar === '"', 'starts with a quote');
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[++i];
      const decoded = { n: '\n', '\\': '\\', "'": "'", '"': '"' }[next as 'n'];
      assert.ok(decoded !== undefined, `bad escape \\${next}`);
      value += decoded;
    } else if (c === quoteChar) {
      return { value, end: i };
    } else if (c === '\n') {
      assert.fail('newline inside a string');
    } else {
      value += c;
    }
  }
  assert.fail('unterminated');
}

const attempts = ["plain", "it's", "x' OR 1=1 --", "x'; DROP DATABASE greenwatch; --", 'x\\', "x\\'; DROP MEASUREMENT noise", "\\\\'", 'a"b', '"; DROP DATABASE "x', '一号小区', ''];

describe('influxString', () => {
  for (const value of attempts) {
    it(`keeps ${JSON.stringify(value)} inside one literal`, () => {
      const literal = influxString(value);
      const { value: decoded, end } = scanQuoted(literal);
      assert.equal(end, literal.length - 1, 'the literal ends at its last character');
      assert.equal(decoded, value);
    });
  }

  it('writes the expected text', () => {
    assert.equal(influxString("it's"), "'it\\'s'");
    assert.equal(influxString('a\\b'), "'a\\\\b'");
  });
});

describe('influxIdentifier', () => {
  for (const value of attempts) {
    it(`keeps ${JSON.stringify(value)} inside one identifier`, () => {
      const ident = influxIdentifier(value);
      const { value: decoded, end } = scanQuoted(ident);
      assert.equal(end, ident.length - 1);
      assert.equal(decoded, value);
    });
  }

  it('writes the expected text', () => {
    assert.equal(influxIdentifier('greenwatch'), '"greenwatch"');
    assert.equal(influxIdentifier('a"b'), '"a\\"b"');
  });
});

describe('isRetriableWriteError and httpStatusOf', () => {
  it('network errors are retriable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']) assert.equal(isRetriableWriteError(Object.assign(new Error('x'), { code })), true, code);
    assert.equal(isRetriableWriteError(new Error('socket hang up')), true);
  });

  it('429 and 503 are retriable, 400 and plain errors are not', () => {
    assert.equal(isRetriableWriteError(new HttpError(429, 'x')), true);
    assert.equal(isRetriableWriteError(new HttpError(503, 'x')), true);
    assert.equal(isRetriableWriteError(new HttpError(400, 'x')), false);
    assert.equal(isRetriableWriteError(new Error('boom')), false);
    assert.equal(isRetriableWriteError('ECONNREFUSED'), false);
  });

  it('httpStatusOf reads HttpError only', () => {
    assert.equal(httpStatusOf(new HttpError(413, 'x')), 413);
    assert.equal(httpStatusOf(Object.assign(new Error('x'), { statusCode: 500 })), undefined);
    assert.equal(httpStatusOf(undefined), undefined);
  });
});

describe('InfluxConnection on the wire (a loopback HTTP server standing in for InfluxDB)', () => {
  interface Seen {
    method: string;
    url: URL;
    headers: IncomingMessage['headers'];
    body: string;
  }
  let server: Server;
  let url: string;
  let seen: Seen[] = [];
  let reply: (req: Seen) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 204 });

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const s: Seen = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body };
        seen.push(s);
        const r = reply(s);
        res.writeHead(r.status, r.headers ?? (r.body ? { 'content-type': 'application/json' } : {}));
        res.end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen = [];
    reply = () => ({ status: 204 });
  });

  it('v1 writes: POST /write?db=&precision=ms with u and p', async () => {
    const c = new InfluxConnection({ url, api: 'v1', database: 'greenwatch', user: 'gw', password: 'p&ss=1' });
    await c.write('m f=1 1\nm f=2 2');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].url.pathname, '/write');
    assert.deepEqual(Object.fromEntries(seen[0].url.searchParams), { db: 'greenwatch', precision: 'ms', u: 'gw', p: 'p&ss=1' });
    assert.equal(seen[0].body, 'm f=1 1\nm f=2 2');
  });

  it('v1 without credentials sends no u or p', async () => {
    await new InfluxConnection({ url, api: 'v1', database: 'db' }).write('m f=1 1');
    assert.deepEqual(Object.fromEntries(seen[0].url.searchParams), { db: 'db', precision: 'ms' });
  });

  it('v2 writes: POST /api/v2/write?org=&bucket=&precision=ms with a Token header', async () => {
    await new InfluxConnection({ url, api: 'v2', database: 'gw-bucket', token: 't0k', org: 'acme' }).write('m f=1 1');
    assert.equal(seen[0].url.pathname, '/api/v2/write');
    assert.deepEqual(Object.fromEntries(seen[0].url.searchParams), { org: 'acme', bucket: 'gw-bucket', precision: 'ms' });
    assert.equal(seen[0].headers.authorization, 'Token t0k');
  });

  it('a 400 answer rejects with an HttpError carrying the status', async () => {
    reply = () => ({ status: 400, body: '{"error":"unable to parse"}' });
    const error = await new InfluxConnection({ url, api: 'v1', database: 'db' }).write('bad').catch((e: unknown) => e);
    assert.equal(httpStatusOf(error), 400);
  });

  it('ensureDatabase sends CREATE DATABASE with a quoted identifier (v1), nothing for v2', async () => {
    reply = () => ({ status: 200, body: '{"results":[{"statement_id":0}]}' });
    await new InfluxConnection({ url, api: 'v1', database: 'green"watch' }).ensureDatabase();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url.pathname, '/query');
    assert.equal(seen[0].url.searchParams.get('q'), 'CREATE DATABASE "green\\"watch"');
    seen = [];
    await new InfluxConnection({ url, api: 'v2', database: 'b', token: 't', org: 'o' }).ensureDatabase();
    assert.equal(seen.length, 0);
  });

  it('query returns the first statement\'s series, with epoch=ms', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'noise', columns: ['time', 'laeq'], values: [[1, 50]] }] }] }) });
    const series = await new InfluxConnection({ url, api: 'v1', database: 'greenwatch' }).query('SELECT laeq FROM noise');
    assert.deepEqual(series, [{ name: 'noise', columns: ['time', 'laeq'], values: [[1, 50]] }]);
    assert.equal(seen[0].url.searchParams.get('epoch'), 'ms');
    assert.equal(seen[0].url.searchParams.get('db'), 'greenwatch');
  });

  it('query with an error in the result throws InfluxQueryError naming the query', async () => {
    reply = () => ({ status: 200, body: '{"results":[{"statement_id":0,"error":"database not found: x"}]}' });
    await assert.rejects(new InfluxConnection({ url, api: 'v1', database: 'x' }).query('SELECT 1'), (e: unknown) => e instanceof InfluxQueryError && /database not found: x \(query: SELECT 1\)/.test(e.message));
  });

  it('ping is true on 204 and false when nothing listens', async () => {
    assert.equal(await new InfluxConnection({ url, api: 'v1', database: 'db' }).ping(), true);
    assert.equal(await new InfluxConnection({ url: 'http://127.0.0.1:1', api: 'v1', database: 'db', timeoutMs: 2000 }).ping(), false);
  });
});
