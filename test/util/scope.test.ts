// The teardown stack: a failure at each set-up step tears down exactly what was set up, newest first; a failing
// undo is reported and the rest still run; closing twice undoes once.
import { describe, expect, it } from 'vitest';
import { Scope } from '../../src/lab/scope.js';

const STEPS = ['registry', 'lab', 'cluster', 'client', 'nemesis', 'load'];

/** Sets up STEPS in order inside a scope, failing at step `failAt`; returns what was undone, in order. */
async function runWithFailureAt(failAt: number): Promise<{ undone: string[]; error: string | undefined }> {
  const undone: string[] = [];
  const scope = new Scope();
  let error: string | undefined;
  try {
    for (const [i, name] of STEPS.entries()) {
      await scope.use(name, () => {
        if (i === failAt) throw new Error(`${name} failed`);
        return name;
      }, (v) => void undone.push(v));
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await scope.close();
  }
  return { undone, error };
}

describe('Scope', () => {
  it.each(STEPS.map((s, i) => [s, i] as const))('a failure setting up %s undoes exactly the steps before it, newest first', async (name, i) => {
    const { undone, error } = await runWithFailureAt(i);
    expect(error).toBe(`${name} failed`);
    expect(undone).toEqual(STEPS.slice(0, i).reverse());
  });

  it('with no failure everything is undone in reverse', async () => {
    const { undone, error } = await runWithFailureAt(-1);
    expect(error).toBeUndefined();
    expect(undone).toEqual([...STEPS].reverse());
  });

  it('a failing undo is reported and the older ones still run; a second close undoes nothing again', async () => {
    const order: string[] = [];
    const reported: string[] = [];
    const scope = new Scope((what, e) => reported.push(`${what}: ${e.message}`));
    scope.defer('lab', () => void order.push('lab'));
    scope.defer('cluster', () => {
      order.push('cluster');
      throw new Error('kill failed');
    });
    scope.defer('client', async () => void order.push('client'));
    expect(scope.steps).toEqual(['lab', 'cluster', 'client']);
    await Promise.all([scope.close(), scope.close()]);
    await scope.close();
    expect(order).toEqual(['client', 'cluster', 'lab']);
    expect(reported).toEqual(['cluster: kill failed']);
    expect(() => scope.defer('late', () => undefined)).toThrow(/closing/);
  });
});
