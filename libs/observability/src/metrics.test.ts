import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry, withProcessMetrics } from './metrics.js';

describe('MetricsRegistry: Prometheus text format', () => {
  it('an empty registry renders one newline', () => {
    assert.equal(new MetricsRegistry().render(), '\n');
  });

  it('HELP and TYPE lines, then samples, in registration order, ending with a newline', () => {
    const r = new MetricsRegistry();
    const c = r.counter('greenwatch_messages_total', 'Messages received');
    const g = r.gauge('greenwatch_backlog', 'Lines waiting');
    c.inc();
    c.inc({}, 2);
    g.set(7);
    assert.equal(
      r.render(),
      ['# HELP greenwatch_messages_total Messages received', '# TYPE greenwatch_messages_total counter', 'greenwatch_messages_total 3', '# HELP greenwatch_backlog Lines waiting', '# TYPE greenwatch_backlog gauge', 'greenwatch_backlog 7', ''].join('\n'),
    );
  });

  it('a metric registered but never touched has HELP and TYPE and no sample', () => {
    const r = new MetricsRegistry();
    r.counter('x_total', 'X');
    assert.equal(r.render(), '# HELP x_total X\n# TYPE x_total counter\n');
  });

  it('labels: one series per label set, whatever the key order', () => {
    const r = new MetricsRegistry();
    const c = r.counter('rejected_total', 'Rejected');
    c.inc({ community: 'demo', reason: 'json' });
    c.inc({ reason: 'json', community: 'demo' });
    c.inc({ community: 'other', reason: 'json' });
    assert.equal(c.get({ reason: 'json', community: 'demo' }), 2);
    assert.equal(c.get({ community: 'other', reason: 'json' }), 1);
    const samples = r.render().split('\n').filter((l) => l.startsWith('rejected_total'));
    assert.deepEqual(samples, ['rejected_total{community="demo",reason="json"} 2', 'rejected_total{community="other",reason="json"} 1']);
  });

  it('escapes backslash, double quote and newline in label values', () => {
    const r = new MetricsRegistry();
    r.counter('c_total', 'C').inc({ reason: 'a"b\\c\nd' });
    assert.match(r.render(), /^c_total\{reason="a\\"b\\\\c\\nd"\} 1$/m);
  });

  it('common labels come first on every sample', () => {
    const r = new MetricsRegistry({ service: 'ingest' });
    const c = r.counter('c_total', 'C');
    c.inc();
    c.inc({ community: 'demo' });
    assert.deepEqual(
      r.render().split('\n').filter((l) => l.startsWith('c_total')),
      ['c_total{service="ingest"} 1', 'c_total{service="ingest",community="demo"} 1'],
    );
  });

  it('a gauge set twice keeps the last value', () => {
    const r = new MetricsRegistry();
    const g = r.gauge('g', 'G');
    g.set(5);
    g.set(2);
    assert.equal(g.get(), 2);
    assert.match(r.render(), /^g 2$/m);
  });

  it('a gauge with collect: a number, read at render time', () => {
    let clients = 3;
    const r = new MetricsRegistry({ service: 'broker' });
    r.gauge('greenwatch_broker_clients', 'Connected MQTT clients', () => clients);
    assert.match(r.render(), /^greenwatch_broker_clients\{service="broker"\} 3$/m);
    clients = 4;
    assert.match(r.render(), /^greenwatch_broker_clients\{service="broker"\} 4$/m);
  });

  it('a gauge with collect: labelled samples', () => {
    const r = new MetricsRegistry();
    r.gauge('backlog', 'B', () => [
      { labels: { writer: 'a' }, value: 1 },
      { labels: { writer: 'b' }, value: 0.5 },
    ]);
    assert.equal(r.render(), '# HELP backlog B\n# TYPE backlog gauge\nbacklog{writer="a"} 1\nbacklog{writer="b"} 0.5\n');
  });

  it('writes NaN, +Inf and -Inf as Prometheus spells them', () => {
    const r = new MetricsRegistry();
    r.gauge('v', 'V', () => [
      { labels: { k: 'nan' }, value: NaN },
      { labels: { k: 'pos' }, value: Infinity },
      { labels: { k: 'neg' }, value: -Infinity },
    ]);
    assert.deepEqual(
      r.render().split('\n').filter((l) => l.startsWith('v{')),
      ['v{k="nan"} NaN', 'v{k="pos"} +Inf', 'v{k="neg"} -Inf'],
    );
  });

  it('asking for the same counter twice gives the same series', () => {
    const r = new MetricsRegistry();
    r.counter('x_total', 'X').inc();
    r.counter('x_total', 'X').inc();
    assert.match(r.render(), /^x_total 2$/m);
    assert.equal(r.render().match(/# TYPE/g)?.length, 1);
  });

  it('refuses a metric name Prometheus would not accept', () => {
    const r = new MetricsRegistry();
    for (const name of ['bad-name', '1st', 'with space', '']) assert.throws(() => r.counter(name, 'x'), /bad metric name/, name);
    r.counter('ok:name_1', 'x');
  });
});

describe('withProcessMetrics', () => {
  it('adds memory and event-loop delay under the service\'s own names, the delay measured since the last scrape', async () => {
    const registry = withProcessMetrics(new MetricsRegistry({ service: 'ingest' }), 'ingest');
    const busyUntil = Date.now() + 60;
    await new Promise((r) => setTimeout(r, 20));
    while (Date.now() < busyUntil); // the event loop blocked for ~40 ms
    await new Promise((r) => setTimeout(r, 30));
    const value = (text: string, q: string) => Number(new RegExp(`^greenwatch_ingest_event_loop_delay_seconds\\{service="ingest",quantile="${q}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    const first = registry.render();
    assert.ok(value(first, '1') >= 0.03, first);
    assert.match(first, /^greenwatch_ingest_resident_memory_bytes\{service="ingest"\} [1-9]\d+$/m);
    assert.match(first, /^greenwatch_ingest_heap_used_bytes\{service="ingest"\} [1-9]\d+$/m);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(value(registry.render(), '1') < 0.03, 'the next scrape starts afresh');
  });
});
