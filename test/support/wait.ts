/**
 * Polls `probe` until `done(value)` holds or the deadline passes; returns the last value.
 * For conditions that arrive asynchronously (points landing in InfluxDB): it checks a real
 * condition repeatedly, it does not sleep and hope.
 */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
    value = await probe();
  }
  return value;
}
