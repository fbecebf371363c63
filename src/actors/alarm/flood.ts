/**
 * Flood detection: alarms raised per operator area within a sliding window
 * (10 minutes by default). More than the threshold is a flood; the monitor
 * says when one starts and when it ends, so the node raises and clears one
 * system alarm per area instead of adding to the noise. Memory is bounded:
 * past `keep` timestamps per area the oldest go — whether the count exceeds
 * the threshold depends only on the newest threshold + 1 of them.
 */

export interface FloodChange {
  area: string;
  flooding: boolean;
  /** Alarms raised in the area within the window, when the change was seen. */
  count: number;
}

export class FloodMonitor {
  private readonly raised = new Map<string, number[]>();
  private readonly flooding = new Set<string>();

  private readonly keep: number;

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {
    this.keep = Math.max(1000, threshold + 1);
  }

  /** One alarm raised in `area` at `at`; returns the change it causes, if any. */
  record(area: string, at: number): FloodChange | undefined {
    let times = this.raised.get(area);
    if (times === undefined) this.raised.set(area, (times = []));
    times.push(at);
    if (times.length > 2 * this.keep) times.splice(0, times.length - this.keep);
    return this.check(area, at);
  }

  /** Re-judge every area at `now` (time passing ends floods); returns the changes. */
  checkAll(now: number): FloodChange[] {
    const changes: FloodChange[] = [];
    for (const area of this.raised.keys()) {
      const change = this.check(area, now);
      if (change !== undefined) changes.push(change);
    }
    return changes;
  }

  /** Alarms raised in the area within the window ending at `now` (counted up to `keep`). */
  count(area: string, now: number): number {
    const times = this.raised.get(area);
    if (times === undefined) return 0;
    const from = now - this.windowMs;
    let i = 0;
    while (i < times.length && (times[i] as number) <= from) i++;
    if (i > 0) times.splice(0, i);
    return times.length;
  }

  areas(): string[] {
    return [...this.raised.keys()];
  }

  isFlooding(area: string): boolean {
    return this.flooding.has(area);
  }

  private check(area: string, now: number): FloodChange | undefined {
    const count = this.count(area, now);
    const flooding = count > this.threshold;
    if (flooding === this.flooding.has(area)) return undefined;
    if (flooding) this.flooding.add(area);
    else this.flooding.delete(area);
    return { area, flooding, count };
  }
}
