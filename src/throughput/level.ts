// One benchmark level: autocannon puts to one etcd endpoint at one concurrency, percentiles from every response.
import autocannon from 'autocannon';
import { b64 } from '../client/etcd.js';
import { quantileOfSorted, sortedSample } from '../util/percentile.js';
import type { BenchLevel } from '../report/results.js';

export interface LevelOptions {
  endpoint: string;
  role: string;
  connections: number;
  durationS: number;
  /** Stop after this many requests even if time remains. */
  maxRequests?: number;
  /** Per-request timeout, seconds. */
  timeoutS?: number;
}

/** etcd benchmark's response time histogram: 10 equal-width buckets from fastest to slowest, by upper bound. */
function histogramBuckets(latencies: readonly number[], fastestMs: number, slowestMs: number): { ms: number; count: number }[] {
  const step = (slowestMs - fastestMs) / 10;
  const out = Array.from({ length: 11 }, (_, i) => ({ ms: Math.round((fastestMs + step * i) * 1000) / 1000, count: 0 }));
  for (const ms of latencies) out[step > 0 ? Math.min(10, Math.ceil((ms - fastestMs) / step)) : 0]!.count++;
  return out;
}

/**
 * Puts of a new value every time: a store may skip a put that changes nothing (antietcd does: no revision, no
 * fsync, no replication), and a benchmark of no-ops would measure nothing but HTTP.
 */
export function changingPuts(key: string): autocannon.Request[] {
  let n = 0;
  return [
    {
      method: 'POST',
      path: '/v3/kv/put',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ key: b64(key), value: b64(String(++n)) }) }),
    },
  ];
}

export async function runLevel(o: LevelOptions): Promise<BenchLevel> {
  const perSecond: number[] = [];
  const latencies: number[] = [];
  let sum = 0;
  let sumSq = 0;
  const result = await new Promise<autocannon.Result>((resolvePromise, reject) => {
    const instance = autocannon(
      {
        url: o.endpoint.replace(/\/$/, ''),
        requests: changingPuts('faultline/bench'),
        connections: o.connections,
        duration: o.durationS,
        ...(o.maxRequests ? { amount: o.maxRequests } : {}),
        timeout: o.timeoutS ?? 10,
      },
      (err: unknown, res: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolvePromise(res)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status < 200 || status >= 300) return;
      latencies.push(ms);
      sum += ms;
      sumSq += ms * ms;
    });
    (instance as NodeJS.EventEmitter).on('tick', (t: { counter: number }) => perSecond.push(t.counter));
  });
  const sorted = sortedSample(latencies);
  const n = sorted.length;
  const mean = n ? sum / n : 0;
  const at = (q: number): number => (n ? quantileOfSorted(sorted, q) : 0);
  let fastest = n ? Infinity : 0;
  let slowest = 0;
  for (const ms of latencies) {
    if (ms < fastest) fastest = ms;
    if (ms > slowest) slowest = ms;
  }
  return {
    endpoint: o.endpoint,
    role: o.role,
    connections: o.connections,
    durationS: o.durationS,
    requests: result.requests.total ?? n,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    rps: result.duration > 0 ? n / result.duration : 0,
    summary: { totalS: result.duration, slowest, fastest, average: mean, stddev: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0 },
    percentiles: { p10: at(0.1), p25: at(0.25), p50: at(0.5), p75: at(0.75), p90: at(0.9), p95: at(0.95), p99: at(0.99), p999: at(0.999) },
    histogram: n ? histogramBuckets(latencies, fastest, slowest) : [],
    perSecond,
  };
}
