// Progress while a run goes: phase, elapsed/remaining, ok/fail/info rates, active fault, current leader.
import type { Counts } from './recorder.js';

export interface ProgressState {
  phase: string;
  elapsedS: number;
  /** Seconds of load left (warm-up + faults + recovery), 0 during heal and final reads. */
  remainingS: number;
  counts: Counts;
  /** Faults currently in effect, e.g. "partition-gray" (empty when none). */
  faults: string[];
  /** undefined: not polled yet; null: no leader seen. */
  leader: string | null | undefined;
}

export interface Rates {
  ok: number;
  fail: number;
  info: number;
}

export function formatProgress(s: ProgressState, r: Rates): string {
  const t = (x: number): string => `${Math.floor(x)}s`;
  const leader = s.leader === undefined ? '?' : (s.leader ?? 'none');
  const fault = s.faults.length > 0 ? s.faults.join('+') : '-';
  return (
    `[${s.phase.padEnd(11)}] ${t(s.elapsedS).padStart(4)} elapsed, ${t(s.remainingS).padStart(4)} left | ` +
    `ok ${r.ok.toFixed(0)}/s fail ${r.fail.toFixed(0)}/s info ${r.info.toFixed(0)}/s | ` +
    `fault ${fault} | leader ${leader}`
  );
}

/**
 * On a TTY one line rewritten in place twice a second; otherwise a plain line every 2 s so logs of CI runs
 * stay readable.
 */
export class ProgressPrinter {
  private timer: NodeJS.Timeout | undefined;
  private lastCounts: Counts = { ok: 0, fail: 0, info: 0 };
  private lastAt = 0;
  private wroteTty = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly state: () => ProgressState,
  ) {}

  start(): void {
    const tty = this.out.isTTY === true;
    this.lastAt = performance.now();
    this.timer = setInterval(() => this.tick(tty), tty ? 500 : 2000);
    this.timer.unref();
  }

  private tick(tty: boolean): void {
    const s = this.state();
    const now = performance.now();
    const dt = Math.max(1e-3, (now - this.lastAt) / 1000);
    const r: Rates = {
      ok: (s.counts.ok - this.lastCounts.ok) / dt,
      fail: (s.counts.fail - this.lastCounts.fail) / dt,
      info: (s.counts.info - this.lastCounts.info) / dt,
    };
    this.lastCounts = { ...s.counts };
    this.lastAt = now;
    const line = formatProgress(s, r);
    if (tty) {
      this.out.write(`\r\x1b[K${line}`);
      this.wroteTty = true;
    } else this.out.write(line + '\n');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.wroteTty) this.out.write('\n');
    this.wroteTty = false;
  }
}
