/**
 * Logs the first `burst` messages of each window, then one summary of how many it held back,
 * so that a flood of bad input is visible without drowning the log.
 */
export class RateLimitedLog {
  private windowStart = 0;
  private count = 0;
  private suppressed = 0;

  constructor(
    private readonly sink: (line: string) => void,
    private readonly options: { burst: number; windowMs: number; now?: () => number } = { burst: 20, windowMs: 60_000 },
  ) {}

  log(line: string): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.windowStart >= this.options.windowMs) {
      if (this.suppressed) this.sink(`… and ${this.suppressed} more like these in the last ${Math.round(this.options.windowMs / 1000)} s (counted in /metrics)`);
      this.windowStart = now;
      this.count = 0;
      this.suppressed = 0;
    }
    if (this.count < this.options.burst) {
      this.count += 1;
      this.sink(line);
    } else {
      this.suppressed += 1;
    }
  }
}
