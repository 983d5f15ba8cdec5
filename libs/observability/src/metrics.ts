import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition
 * format (prometheus.io/docs/instrumenting/exposition_formats). No dependency, no global state:
 * each process makes one and its apps pass it around.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => number | { labels: Labels; value: number }[];
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  constructor(private readonly commonLabels: Labels = {}) {}

  counter(name: string, help: string): Counter {
    return new Counter(this.family(name, help, 'counter'));
  }

  gauge(name: string, help: string, collect?: Family['collect']): Gauge {
    const family = this.family(name, help, 'gauge');
    if (collect) family.collect = collect;
    return new Gauge(family);
  }

  /** The Prometheus text format. */
  render(): string {
    const out: string[] = [];
    for (const [name, family] of this.families) {
      out.push(`# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${family.type}`);
      const collected = family.collect?.();
      const samples =
        collected === undefined
          ? [...family.values.values()]
          : typeof collected === 'number'
            ? [{ labels: {}, value: collected }]
            : collected;
      for (const { labels, value } of samples) out.push(`${name}${formatLabels({ ...this.commonLabels, ...labels })} ${formatNumber(value)}`);
    }
    return `${out.join('\n')}\n`;
  }

  private family(name: string, help: string, type: Family['type']): Family {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    let family = this.families.get(name);
    if (family && family.type !== type) throw new Error(`metric ${name} is a ${family.type} already, not a ${type}`);
    if (!family) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }
}

abstract class Metric {
  constructor(protected readonly family: Family) {}

  protected slot(labels: Labels) {
    let slot = this.family.values.get(keyOf(labels));
    if (!slot) {
      slot = { labels, value: 0 };
      this.family.values.set(keyOf(labels), slot);
    }
    return slot;
  }

  /** The current value; reading does not create the series. */
  get(labels: Labels = {}): number {
    return this.family.values.get(keyOf(labels))?.value ?? 0;
  }
}

function keyOf(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export class Counter extends Metric {
  inc(labels: Labels = {}, by = 1): void {
    this.slot(labels).value += by;
  }
}

export class Gauge extends Metric {
  set(value: number, labels: Labels = {}): void {
    this.slot(labels).value = value;
  }
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (!keys.length) return '';
  return `{${keys.map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * The process's own health in a registry: memory, and how late the event loop runs timers (the
 * delay every message waits on top of its work; the p99 is where latency tails come from). The
 * delay quantiles cover the time since the previous scrape. Names carry the service
 * (greenwatch_ingest_event_loop_delay_seconds, ...) like the services' other metrics, so that the
 * api's /metrics, which appends the others', holds each family once.
 */
export function withProcessMetrics(registry: MetricsRegistry, service: string): MetricsRegistry {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  registry.gauge(`greenwatch_${service}_resident_memory_bytes`, 'Resident set size of this process', () => process.memoryUsage.rss());
  registry.gauge(`greenwatch_${service}_heap_used_bytes`, 'V8 heap in use', () => process.memoryUsage().heapUsed);
  registry.gauge(`greenwatch_${service}_event_loop_delay_seconds`, 'Event-loop delay since the previous scrape (quantiles, and max)', () => {
    const seconds = (ns: number) => (delay.count > 0 && Number.isFinite(ns) ? ns / 1e9 : 0);
    const samples = [
      { labels: { quantile: '0.5' }, value: seconds(delay.percentile(50)) },
      { labels: { quantile: '0.99' }, value: seconds(delay.percentile(99)) },
      { labels: { quantile: '1' }, value: seconds(delay.max) },
    ];
    delay.reset();
    return samples;
  });
  return registry;
}
