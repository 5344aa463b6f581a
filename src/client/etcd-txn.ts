// list-append txns on the etcd JSON gateway (etcd, antietcd): read the keys, then one guarded txn that writes them.
import { Buffer } from 'node:buffer';
import type { Completion, Json } from '../history/op.js';

/**
 * What the txn needs of the gateway client (src/client/etcd.ts): a POST that returns the parsed 2xx body
 * or throws the classified outcome (`classifyAs` read: a failure is definite), and the dialect's compare.
 */
export interface TxnGateway {
  post(path: string, body: unknown, classifyAs: string): Promise<unknown>;
  modEquals(key: string, revision: string): unknown;
  /** The run reads each node's local state (--serializable-reads). */
  localReads: boolean;
}

/** A lost race changes nothing (the compare failed), so the txn is retried; after this many it ends `fail`. */
const TXN_ATTEMPTS = 10;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

interface Kv {
  key?: string;
  value?: string;
  mod_revision?: string | number;
}
interface TxnResponse {
  succeeded?: boolean;
  responses?: { response_range?: { kvs?: Kv[] } }[];
}

type Elem = number | string;

/** A list is stored as its JSON text, `[1,2,3]`: etcdctl shows it plainly and any element type survives. */
function decodeList(kv: Kv | undefined, key: string): Elem[] | null {
  if (!kv) return null;
  const text = kv.value !== undefined ? unb64(kv.value) : '';
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v)) return v as Elem[];
  } catch {
    // fall through
  }
  throw new Error(`list-append: key ${key} holds ${JSON.stringify(text.slice(0, 40))}, not a JSON list (a key shared with another workload?)`);
}

const rangeOf = (key: string, serializable = false): unknown => ({ request_range: { key: b64(key), ...(serializable ? { serializable: true } : {}) } });

/**
 * Why this is atomic. Both stores apply a txn's compares and its success ops as one step: etcd in its raft
 * apply loop (one mvcc write txn per request), antietcd on its leader in one synchronous call of
 * etctree.api_txn (compares, then puts, with no await in between; any txn with a compare counts as a write
 * and is forwarded to the leader). Neither can append to a value server-side, so the append is a
 * read-modify-write: (1) one txn of plain ranges reads every key the txn touches at one revision, (2) one txn
 * whose compare requires every such key's mod_revision to be what (1) saw (0: absent, which both stores
 * compare as 0), and whose success branch ranges the read keys, then puts the new lists (its failure branch
 * ranges every key, so a lost race returns the state that beat it). If (2) succeeds,
 * nothing changed any of these keys between (1) and (2), so the lists written are the lists read plus this
 * txn's appends, and the ranges in (2) are the values at the txn's own commit point: those are what the
 * history records. Read-only txns go through (2) as well: on etcd that adds nothing (a read-only txn is
 * already linearizable), but on antietcd a txn of ranges alone may be answered by a follower from its
 * local copy, while one with a compare is decided by the leader, the only node whose state is current.
 * A failed compare wrote nothing, so the txn is retried on the state its failure branch read; after
 * TXN_ATTEMPTS it is a definite fail.
 */
export async function listAppendTxn(gw: TxnGateway, value: Json | undefined): Promise<Completion> {
  if (!Array.isArray(value)) throw new Error(`list-append txn: value must be a list of micro-ops, got ${JSON.stringify(value)}`);
  const mops = value as [string, string, Elem | Elem[] | null][];
  const keys = [...new Set(mops.map((m) => m[1]))];
  const readKeys = [...new Set(mops.filter((m) => m[0] === 'r').map((m) => m[1]))];
  const writes = mops.some((m) => m[0] === 'append');
  const readOnly = { post: (path: string, body: unknown) => gw.post(path, body, 'read') };

  // (1) The snapshot: a failure here is definite, nothing was written.
  let snapshot = (await readOnly.post('/v3/kv/txn', { success: keys.map((k) => rangeOf(k, gw.localReads)) })) as TxnResponse;
  for (let attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
    const seen = new Map<string, { list: Elem[] | null; rev: string }>();
    keys.forEach((k, i) => {
      const kv = snapshot.responses?.[i]?.response_range?.kvs?.[0];
      seen.set(k, { list: decodeList(kv, k), rev: String(kv?.mod_revision ?? '0') });
    });

    // The lists as this txn leaves them, applying its appends in order.
    const after = new Map<string, Elem[] | null>([...seen].map(([k, s]) => [k, s.list]));
    for (const [f, k, v] of mops) if (f === 'append') after.set(k, [...(after.get(k) ?? []), v as Elem]);
    const puts = keys.filter((k) => mops.some((m) => m[0] === 'append' && m[1] === k));

    // (2) The guarded txn. Without appends it writes nothing, so its failure is definite too.
    const body = {
      compare: keys.map((k) => gw.modEquals(k, seen.get(k)!.rev)),
      success: [...readKeys.map((k) => rangeOf(k)), ...puts.map((k) => ({ request_put: { key: b64(k), value: b64(JSON.stringify(after.get(k))) } }))],
      failure: keys.map((k) => rangeOf(k)),
    };
    const res = (await gw.post('/v3/kv/txn', body, writes ? 'txn' : 'read')) as TxnResponse;
    // A failed compare omits `succeeded` (false is a zero value in etcd's JSON). Its failure branch read
    // every key where the compare was decided: the next attempt's snapshot, current even when (1) came
    // from a lagging follower.
    if (res.succeeded !== true) {
      snapshot = res;
      continue;
    }

    // The reads, from the ranges at the commit point plus this txn's own earlier appends (read-your-writes).
    const committed = new Map<string, Elem[] | null>(readKeys.map((k, i) => [k, decodeList(res.responses?.[i]?.response_range?.kvs?.[0], k)]));
    const current = new Map(committed);
    const done: Json[] = mops.map(([f, k, v]) => {
      if (f === 'append') {
        current.set(k, [...(current.get(k) ?? seen.get(k)!.list ?? []), v as Elem]);
        return [f, k, v as Elem];
      }
      return [f, k, current.get(k) ?? null];
    });
    return { type: 'ok', value: done };
  }
  return { type: 'fail', error: 'txn-contention' };
}
