// set-full on the etcd JSON gateway (etcd, antietcd): an add is one put of its own key, a read one prefix range.
import { Buffer } from 'node:buffer';
import type { Completion, Json } from '../history/op.js';

/** What the set needs of the gateway client (src/client/etcd.ts): a POST that returns the parsed 2xx body or throws the classified outcome. */
export interface SetGateway {
  post(path: string, body: unknown): Promise<unknown>;
  /** The run reads each node's local state (--serializable-reads). */
  localReads: boolean;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/**
 * Every element is a key of its own, `set/<e>`, under a prefix that is per run (each run starts its cluster
 * on empty data directories). One key per element makes an add a single put, atomic and idempotent on
 * both stores, with no read-modify-write to race (a set stored in one value would be list-append's problem
 * again), and a lost element is a lost put, which is exactly what set-full looks for.
 */
export const SET_PREFIX = 'set/';

/**
 * The read is one range over the prefix: key "set/", range_end "set0" ('0' is '/' + 1, so the range is every
 * key that begins with "set/"). That is the only prefix form antietcd serves: its tree only answers
 * directory ranges, a key ending in '/' with range_end the same text whose last character '/' became '0'
 * (etctree.js _get_range; anything else is 501 "Non-directory range queries are unsupported"), and it is
 * also etcd's ordinary prefix range (etcdctl get --prefix). keys_only: the element is in the key, so the
 * values need not travel.
 */
const RANGE = { key: b64(SET_PREFIX), range_end: b64('set0'), keys_only: true };

function encodeElement(v: Json | undefined): string {
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  throw new Error(`set add: element must be a number or a string, got ${JSON.stringify(v)}`);
}

export async function setAdd(gw: SetGateway, value: Json | undefined): Promise<Completion> {
  const e = encodeElement(value);
  await gw.post('/v3/kv/put', { key: b64(SET_PREFIX + e), value: b64(e) });
  return { type: 'ok', value: value ?? null };
}

/** The whole set, numbers as numbers, in ascending order (the store's key order is lexicographic: set/10 < set/2). */
export async function setRead(gw: SetGateway): Promise<Completion> {
  const res = (await gw.post('/v3/kv/range', gw.localReads ? { ...RANGE, serializable: true } : RANGE)) as { kvs?: { key?: string }[] };
  const elements: (number | string)[] = [];
  for (const kv of res.kvs ?? []) {
    const key = kv.key !== undefined ? unb64(kv.key) : '';
    if (!key.startsWith(SET_PREFIX)) continue;
    const text = key.slice(SET_PREFIX.length);
    const n = Number(text);
    elements.push(/^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text);
  }
  elements.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  return { type: 'ok', value: elements };
}
