// Clock skew: refused for etcd on a shared kernel, with the reason (no per-process clock can be skewed here).
import type { Lab } from '../lab/lab.js';
import { envError } from '../util/errors.js';
import type { Nemesis, NemesisDefinition } from './nemesis.js';

/**
 * Why skewing one etcd node's clock is impossible in the labs we have. Not a missing feature of ours:
 * every mechanism that exists either misses Go programs or cannot express a skew.
 */
export function clockUnavailable(lab: Lab): string {
  return (
    `clock skew cannot be applied to etcd in the ${lab.kind} lab: all nodes share this machine's kernel clock; ` +
    'etcd (Go) reads time through the vDSO, which libfaketime does not intercept; time namespaces give only a fixed ' +
    'monotonic/boottime offset set at start (no realtime offset, no rate skew); and changing the host clock would ' +
    'skew every node at once (faultline never does). Use separate machines (ssh lab) or a libfaketime-capable system.'
  );
}

class ClockNemesis implements Nemesis {
  readonly name = 'clock';
  readonly fs = ['start-clock', 'stop-clock'] as const;

  async setup(ctx: { lab: Lab }): Promise<void> {
    throw envError(clockUnavailable(ctx.lab));
  }

  async invoke(f: string): Promise<never> {
    throw envError(`clock nemesis cannot ${f}: it refuses at setup on this lab`);
  }

  async teardown(): Promise<void> {
    // Nothing was ever changed.
  }
}

export const definitions: NemesisDefinition[] = [
  {
    name: 'clock',
    summary: 'skew node clocks (refused for etcd on a shared kernel: see the reason)',
    unavailable: (lab) => clockUnavailable(lab),
    create: () => new ClockNemesis(),
  },
];
