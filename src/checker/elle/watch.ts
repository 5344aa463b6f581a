// Checks watch streams against etcd's watch guarantees: ordered, unique, atomic, reliable, resumable, PrevKV/IsCreate.
import type { Json, Op, ProcessId } from '../../history/op.js';
import { usageError } from '../../util/errors.js';
import type { Verdict } from '../result.js';

/**
 * The history shapes (one JSON object per line, invoke then ok/fail/info, like every other op):
 *
 * Writes, whose acknowledged revision rides on the completion (the kv model reads only a put's invocation,
 * so the same history can also be checked for linearizability):
 *   {"process":1,"type":"invoke","f":"put","key":"k1","value":3}
 *   {"process":1,"type":"ok","f":"put","key":"k1","value":{"rev":5}}
 *   {"process":1,"type":"invoke","f":"delete","key":"k1"}            ... ok with {"rev":6}
 *   {"process":1,"type":"invoke","f":"put-many","value":[["k1",3],["k2",4]]}   (one txn, one revision)
 *
 * Watch streams: one invoke per watch request, one completion carrying every response received, grouped as
 * the store sent them (atomicity is about that grouping). A stream that broke completes `info`; the client
 * resumes with a new request (a new process, same `watcher`), normally from the last revision seen + 1.
 *   {"process":7,"type":"invoke","f":"watch","value":{"watcher":"w1","key":"k","prefix":true,"startRev":4,"prevKV":true}}
 *   {"process":7,"type":"info","f":"watch","value":{"responses":[[{"rev":5,"key":"k1","type":"put","value":3,"prevValue":2,"isCreate":false}],[...]]}}
 * `startRev` is inclusive, as etcd's WatchRequest.start_revision (0 or absent: from now); `prefix` false
 * watches the one key. Events: `type` put or delete; `prevValue` (null: the key was absent) only when
 * prevKV was requested; `isCreate` optional on puts (the put created the key).
 *
 * The reference history: the acknowledged writes at their revisions, merged with what watchers saw (writes
 * that ended info may have happened at a revision only watchers know), as etcd's robustness tests merge them.
 */
export type Guarantee = 'ordered' | 'unique' | 'atomic' | 'reliable' | 'resumable' | 'prevkv' | 'iscreate' | 'unexpected';

export interface WatchEvent {
  rev: number;
  key: string;
  type: 'put' | 'delete';
  value?: Json;
  prevValue?: Json;
  isCreate?: boolean;
}

export interface Violation {
  guarantee: Guarantee;
  watcher: string;
  /** History index of the watch request's invocation. */
  op: number;
  explanation: string;
}

export interface WatchResult {
  valid: Verdict;
  counts: Partial<Record<Guarantee, number>>;
  /** Up to maxPerGuarantee violations of each guarantee. */
  violations: Violation[];
  watchers: number;
  streams: number;
  events: number;
}

export interface WatchOptions {
  maxPerGuarantee?: number;
  where?: (index: number) => string;
}

interface Stream {
  watcher: string;
  op: number;
  key: string;
  prefix: boolean;
  startRev: number;
  prevKV: boolean;
  responses: WatchEvent[][];
}

interface RefEvent {
  rev: number;
  key: string;
  type: 'put' | 'delete';
  value: Json;
  /** Who told us: an acknowledged write (op index) or a watcher. */
  source: string;
}

export function checkWatch(ops: readonly Op[], options: WatchOptions = {}): WatchResult {
  const max = options.maxPerGuarantee ?? 10;
  const where = options.where ?? ((i: number) => `op ${i}`);
  const counts: WatchResult['counts'] = {};
  const violations: Violation[] = [];
  const report = (guarantee: Guarantee, s: Stream, text: string): void => {
    const n = (counts[guarantee] = (counts[guarantee] ?? 0) + 1);
    if (n <= max) violations.push({ guarantee, watcher: s.watcher, op: s.op, explanation: `${guarantee}: watcher ${s.watcher} (request at op ${s.op}): ${text}` });
  };
  const { writes, unknownValues, streams } = parse(ops, where);

  // The reference: (rev, key) → event. Acknowledged writes first; then watchers fill in what only they saw.
  const ref = new Map<string, RefEvent>();
  const id = (rev: number, key: string): string => `${rev}\u0000${key}`;
  for (const w of writes) ref.set(id(w.rev, w.key), w);
  for (const s of streams) {
    for (const e of s.responses.flat()) {
      const known = ref.get(id(e.rev, e.key));
      const value = e.type === 'put' ? (e.value ?? null) : null;
      if (known === undefined) {
        if (e.type === 'put' && !unknownValues.get(e.key)?.has(JSON.stringify(value))) {
          report('unexpected', s, `event ${showEvent(e)} matches no write of the history (no acknowledged write has revision ${e.rev} on ${e.key}, and no unacknowledged put of ${e.key} wrote ${JSON.stringify(value)})`);
        }
        ref.set(id(e.rev, e.key), { rev: e.rev, key: e.key, type: e.type, value, source: `watcher ${s.watcher}` });
      } else if (known.type !== e.type || JSON.stringify(known.value) !== JSON.stringify(value)) {
        report('unexpected', s, `event ${showEvent(e)} contradicts ${known.source}, which has ${known.type} ${e.key} = ${JSON.stringify(known.value)} at revision ${e.rev}`);
      }
    }
  }
  const reference = [...ref.values()].sort((a, b) => a.rev - b.rev || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Per key, the reference events in revision order: what the key held before any revision.
  const byKey = new Map<string, RefEvent[]>();
  const byRev = new Map<number, RefEvent[]>();
  for (const e of reference) {
    const l = byKey.get(e.key);
    if (l) l.push(e);
    else byKey.set(e.key, [e]);
    const r = byRev.get(e.rev);
    if (r) r.push(e);
    else byRev.set(e.rev, [e]);
  }

  const byWatcher = new Map<string, Stream[]>();
  for (const s of streams) {
    const l = byWatcher.get(s.watcher);
    if (l) l.push(s);
    else byWatcher.set(s.watcher, [s]);
  }
  let events = 0;
  for (const list of byWatcher.values()) {
    let lastRev = 0;
    const seen = new Set<string>();
    for (const s of list) {
      const matches = (key: string): boolean => (s.prefix ? key.startsWith(s.key) : key === s.key);
      let prevResponseLast = 0;
      for (const resp of s.responses) {
        if (resp.length === 0) continue;
        // Atomic (etcd): a response never starts with the revision the previous one ended with.
        if (resp[0]!.rev === prevResponseLast) report('atomic', s, `revision ${prevResponseLast} is split over two responses: the second starts with ${showEvent(resp[0]!)}`);
        prevResponseLast = resp[resp.length - 1]!.rev;
        // Atomic (the reference): every matching event of a revision arrives in the one response.
        const revs = new Set(resp.map((e) => e.rev));
        for (const r of revs) {
          const want = (byRev.get(r) ?? []).filter((x) => matches(x.key));
          const got = new Set(resp.filter((e) => e.rev === r).map((e) => e.key));
          const missing = want.filter((x) => !got.has(x.key));
          if (missing.length > 0) report('atomic', s, `the response with revision ${r} lacks ${missing.map((x) => `${x.type} ${x.key}`).join(', ')} of that same revision`);
        }
        for (const e of resp) {
          events++;
          if (e.rev < lastRev) report('ordered', s, `event ${showEvent(e)} arrived after an event of revision ${lastRev}`);
          lastRev = Math.max(lastRev, e.rev);
          const k = id(e.rev, e.key);
          if (seen.has(k)) report('unique', s, `event ${showEvent(e)} was delivered twice`);
          seen.add(k);
          checkPrev(s, e, byKey.get(e.key) ?? [], unknownValues.get(e.key), report);
        }
      }
      const flat = s.responses.flat();
      if (flat.length === 0) continue;
      const first = flat[0]!;
      const last = flat[flat.length - 1]!;
      // Resumable: the first event is of the first revision at or after the start with a matching event
      // (which of that revision's events comes first is the txn's order; atomic checks they all came).
      if (s.startRev > 0) {
        const expected = reference.find((x) => x.rev >= s.startRev && matches(x.key));
        if (expected && expected.rev !== first.rev) {
          report('resumable', s, `watching from revision ${s.startRev}, the first event must be of revision ${expected.rev} (${expected.type} ${expected.key}, from ${expected.source}), but it was ${showEvent(first)}`);
        }
      }
      // Reliable: no matching event between the first and last received is missing.
      const got = new Set(flat.map((e) => id(e.rev, e.key)));
      const gaps = reference.filter((x) => x.rev >= first.rev && x.rev <= last.rev && matches(x.key) && !got.has(id(x.rev, x.key)));
      if (gaps.length > 0) report('reliable', s, `between revisions ${first.rev} and ${last.rev} it missed ${gaps.slice(0, 5).map((x) => `${x.type} ${x.key} at revision ${x.rev} (${x.source})`).join(', ')}${gaps.length > 5 ? ` and ${gaps.length - 5} more` : ''}`);
    }
  }
  let valid: Verdict = Object.keys(counts).length === 0;
  if (valid && events === 0) valid = 'unknown';
  return { valid, counts, violations, watchers: byWatcher.size, streams: streams.length, events };
}

/**
 * PrevKV and IsCreate against what the reference says the key held just before the event's revision. A put
 * that ended info may have happened at a revision nobody saw: its value is then accepted as a previous value.
 */
function checkPrev(s: Stream, e: WatchEvent, history: readonly RefEvent[], unknown: Set<string> | undefined, report: (g: Guarantee, s: Stream, text: string) => void): void {
  let before: RefEvent | undefined;
  for (const x of history) {
    if (x.rev >= e.rev) break;
    before = x;
  }
  const held = before && before.type === 'put' ? before.value : null;
  const maybe = (v: Json | undefined): boolean => unknown?.has(JSON.stringify(v ?? null)) === true;
  if (s.prevKV && e.prevValue !== undefined && JSON.stringify(e.prevValue) !== JSON.stringify(held) && !maybe(e.prevValue)) {
    report('prevkv', s, `event ${showEvent(e)} says the previous value was ${JSON.stringify(e.prevValue)}, but before revision ${e.rev} ${e.key} ${held === null ? 'was absent' : `held ${JSON.stringify(held)}`}${before ? ` (${before.source}, revision ${before.rev})` : ''}`);
  }
  if (s.prevKV && e.prevValue === undefined) report('prevkv', s, `event ${showEvent(e)} carries no previous value though the watch asked for prevKV`);
  if (e.type === 'put' && e.isCreate !== undefined && unknown === undefined) {
    const absent = held === null;
    if (e.isCreate !== absent) report('iscreate', s, `event ${showEvent(e)} says isCreate ${e.isCreate}, but before revision ${e.rev} ${e.key} ${absent ? 'was absent' : `held ${JSON.stringify(held)}`}`);
  }
}

function parse(ops: readonly Op[], where: (i: number) => string): { writes: RefEvent[]; unknownValues: Map<string, Set<string>>; streams: Stream[] } {
  const open = new Map<ProcessId, Op>();
  const writes: RefEvent[] = [];
  const unknownValues = new Map<string, Set<string>>();
  const streams: Stream[] = [];
  const maybe = (key: string, v: Json): void => {
    let s = unknownValues.get(key);
    if (!s) unknownValues.set(key, (s = new Set()));
    s.add(JSON.stringify(v));
  };
  const finish = (inv: Op, done: Op | undefined): void => {
    const at = where(inv.index);
    if (inv.f === 'watch') {
      const req = obj(inv.value, at, 'a watch request');
      const out = done && done.type !== 'fail' ? obj(done.value, where(done.index), 'a watch completion') : { responses: [] };
      const responses = Array.isArray(out.responses) ? out.responses : [];
      streams.push({
        watcher: typeof req.watcher === 'string' ? req.watcher : String(inv.process),
        op: inv.index,
        key: typeof req.key === 'string' ? req.key : '',
        prefix: req.prefix === true,
        startRev: typeof req.startRev === 'number' ? req.startRev : 0,
        prevKV: req.prevKV === true,
        responses: responses.map((r) => (Array.isArray(r) ? r : []).map((e) => event(e, done ? where(done.index) : at))),
      });
      return;
    }
    const puts: [string, Json, 'put' | 'delete'][] =
      inv.f === 'put-many'
        ? (Array.isArray(inv.value) ? inv.value : []).map((p) => (Array.isArray(p) ? [String(p[0]), p[1] ?? null, 'put'] : ['', null, 'put']))
        : [[inv.key ?? '', inv.f === 'put' ? (inv.value ?? null) : null, inv.f === 'put' ? 'put' : 'delete']];
    const rev = done?.type === 'ok' && done.value && typeof done.value === 'object' && !Array.isArray(done.value) ? done.value.rev : undefined;
    if (done?.type === 'ok' && typeof rev === 'number') for (const [key, value, type] of puts) writes.push({ rev, key, type, value, source: `the write at op ${inv.index}` });
    else if (done?.type !== 'fail') for (const [key, value, type] of puts) if (type === 'put') maybe(key, value);
  };
  for (const op of ops) {
    if (op.f !== 'watch' && op.f !== 'put' && op.f !== 'delete' && op.f !== 'put-many') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    if (!inv) continue;
    open.delete(op.process);
    finish(inv, op);
  }
  for (const inv of open.values()) finish(inv, undefined);
  return { writes, unknownValues, streams };
}

function obj(v: Json | undefined, at: string, what: string): { [k: string]: Json } {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) throw usageError(`${at}: ${what} must be a JSON object`);
  return v;
}

function event(v: Json, at: string): WatchEvent {
  const o = obj(v, at, 'a watch event');
  if (typeof o.rev !== 'number' || typeof o.key !== 'string' || (o.type !== 'put' && o.type !== 'delete')) throw usageError(`${at}: a watch event needs "rev" (number), "key" (string) and "type" (put or delete), got ${JSON.stringify(v).slice(0, 80)}`);
  const e: WatchEvent = { rev: o.rev, key: o.key, type: o.type };
  if ('value' in o) e.value = o.value;
  if ('prevValue' in o) e.prevValue = o.prevValue;
  if (typeof o.isCreate === 'boolean') e.isCreate = o.isCreate;
  return e;
}

function showEvent(e: WatchEvent): string {
  return `${e.type} ${e.key}${e.type === 'put' ? ` = ${JSON.stringify(e.value ?? null)}` : ''} at revision ${e.rev}`;
}
