// Prints one benchmark level the way etcd's own benchmark tool does: Summary, histogram, latency distribution.
import type { BenchLevel } from './results.js';

const secs = (ms: number): string => (ms / 1000).toFixed(4);

export function formatBenchLevel(l: BenchLevel): string {
  const lines = [
    `${l.endpoint} (${l.role}), ${l.connections} connection(s), ${l.durationS} s`,
    'Summary:',
    `  Total:\t${l.summary.totalS.toFixed(4)} secs.`,
    `  Slowest:\t${secs(l.summary.slowest)} secs.`,
    `  Fastest:\t${secs(l.summary.fastest)} secs.`,
    `  Average:\t${secs(l.summary.average)} secs.`,
    `  Stddev:\t${secs(l.summary.stddev)} secs.`,
    `  Requests/sec:\t${l.rps.toFixed(4)}`,
    '',
    'Response time histogram:',
  ];
  const max = Math.max(1, ...l.histogram.map((b) => b.count));
  for (const b of l.histogram) lines.push(`  ${secs(b.ms)} [${b.count}]\t|${'∎'.repeat(Math.round((b.count / max) * 40))}`);
  lines.push('', 'Latency distribution:');
  const P: [keyof BenchLevel['percentiles'], string][] = [
    ['p10', '10%'], ['p25', '25%'], ['p50', '50%'], ['p75', '75%'], ['p90', '90%'], ['p95', '95%'], ['p99', '99%'], ['p999', '99.9%'],
  ];
  for (const [k, label] of P) lines.push(`  ${label} in ${secs(l.percentiles[k])} secs.`);
  if (l.errors || l.non2xx || l.timeouts) lines.push('', `Errors: ${l.errors} (non-2xx ${l.non2xx}, timeouts ${l.timeouts})`);
  return lines.join('\n');
}
