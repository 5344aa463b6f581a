// Clock faults: available only where the system offers per-node clock control (System capability `clock`);
// elsewhere refused with the system's own reason (etcd: Go reads time through the vDSO).
import type { Json } from '../history/op.js';
import { envError } from '../util/errors.js';
import { needsCapability, type Nemesis, type NemesisContext, type NemesisDefinition } from './nemesis.js';

class ClockNemesis implements Nemesis {
  readonly name = 'clock';
  readonly fs = ['start-clock', 'stop-clock'] as const;

  async setup(ctx: NemesisContext): Promise<void> {
    const why = ctx.system.missing('clock');
    if (why) throw envError(why);
    throw envError(`clock faults on ${ctx.system.name} are not implemented yet`);
  }

  async invoke(f: string, _value: Json | undefined): Promise<never> {
    throw envError(`clock nemesis cannot ${f}: it refused at setup`);
  }

  async teardown(): Promise<void> {
    // Nothing was ever changed.
  }
}

export const definitions: NemesisDefinition[] = [
  {
    name: 'clock',
    summary: 'skew node clocks (where the system offers clock control)',
    unavailable: needsCapability('clock'),
    create: () => new ClockNemesis(),
  },
];
