/**
 * How many messages one sender may have processed per minute, counted in memory per process.
 * A retry of a message already counted (same MessageSid) is not counted twice.
 */
export class SenderRateLimiter {
  private readonly recent = new Map<string, { at: number; sid: string }[]>();
  private lastSweep = 0;

  constructor(
    readonly perMinute: number,
    private readonly windowMs = 60_000,
  ) {}

  /** True when the message may be processed now; records it if so. */
  allow(sender: string, messageSid: string, now: number): boolean {
    const since = now - this.windowMs;
    const kept = (this.recent.get(sender) ?? []).filter((entry) => entry.at > since);
    if (kept.some((entry) => entry.sid === messageSid)) {
      this.recent.set(sender, kept);
      return true;
    }
    const allowed = kept.length < this.perMinute;
    if (allowed) kept.push({ at: now, sid: messageSid });
    this.recent.set(sender, kept);
    this.sweep(now);
    return allowed;
  }

  // Forget senders that have been quiet for a whole window, so memory follows active senders only.
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    const since = now - this.windowMs;
    for (const [sender, entries] of this.recent) {
      if (!entries.some((entry) => entry.at > since)) this.recent.delete(sender);
    }
  }
}
