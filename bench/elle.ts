// Benchmarks the Elle-style list-append checker on 100,000 generated transactions: time and peak memory.
import { checkListAppend } from '../src/checker/elle/list-append.js';
import { generateListAppend } from '../src/checker/elle/generate.js';
import type { Json } from '../src/history/op.js';
import { seeded } from '../src/generator/random.js';

const TXNS = Number(process.env.ELLE_TXNS ?? 100_000);

function run(label: string, corrupt: number): void {
  const ops = generateListAppend({ txns: TXNS, seed: 7, concurrency: 20, activeKeys: 10, appendsPerKey: 64, failRate: 0.02, infoRate: 0.01 });
  let mutated = 0;
  if (corrupt > 0) {
    // Stale reads: drop the last element of a fraction of non-empty reads, so real anomalies (and SCCs) exist.
    const rng = seeded(99);
    for (const op of ops) {
      if (op.type !== 'ok') continue;
      for (const m of op.value as Json[][]) {
        if (m[0] === 'r' && (m[2] as Json[]).length > 0 && rng() < corrupt) {
          m[2] = (m[2] as Json[]).slice(0, -1);
          mutated++;
        }
      }
    }
  }
  const t0 = performance.now();
  const r = checkListAppend(ops);
  const ms = performance.now() - t0;
  const found = Object.entries(r.counts).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
  console.log(`${label}: ${r.txns} txns, ${ops.length} ops, ${r.edges} edges, ${mutated} reads corrupted: check ${ms.toFixed(0)} ms, valid ${String(r.valid)}${r.truncated ? ' (truncated)' : ''}; anomalies: ${found}`);
}

run('valid history', 0);
run('0.5% stale reads', 0.005);
run('5% stale reads', 0.05);
const peak = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS of this process (generation included): ${peak.toFixed(0)} MiB (targets: < 10 s and < 2 GiB per 100k txns)`);
