// Client for the etcd v3 JSON gateway and stores that speak it (antietcd): one keep-alive undici Pool per node,
// ops in, classified completions out. Where a store's dialect differs (compares, error bodies) it says so.
import { Buffer } from 'node:buffer';
import { buildConnector, Pool } from 'undici';
import type { Completion, Json, Op } from '../history/op.js';
import { antietcdWatch } from './antietcd-watch.js';
import type { Client, ClientOptions } from './client.js';
import { setAdd, setRead } from './etcd-set.js';
import { listAppendTxn } from './etcd-txn.js';
import { etcdWatch, watchDelete, watchPut, WATCH_PREFIX } from './etcd-watch.js';
import { classify, unreadableSuccess, type Attempt, type Outcome } from './outcome.js';

/** Where a store speaking the gateway's JSON differs from etcd. */
export interface GatewayDialect {
  /** The compare of a cas: the key's current value equals `expected` (plain text). */
  valueEquals(key: string, expected: string): unknown;
  /** The compare of an append's guard: the key's mod_revision is still `revision`. */
  modEquals(key: string, revision: string): unknown;
  /** ok / fail / info of one attempt of operation f (see outcome.ts for etcd's table). */
  classify(f: string, attempt: Attempt): Outcome;
  /** The store's watch API is a websocket (antietcd), not the gateway's streaming POST /v3/watch. */
  watchOverWebsocket?: boolean;
}

/** etcd 3.4's grpc-gateway: compares name their result, values are base64. */
export const ETCD_DIALECT: GatewayDialect = {
  valueEquals: (key, expected) => ({ key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(expected) }),
  modEquals: (key, revision) => ({ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: revision }),
  classify,
};

export interface EtcdClientOptions extends ClientOptions {
  dialect?: GatewayDialect;
}

/** Append retries its read-modify-write when another writer got in between; after this many it gives up (fail). */
const APPEND_ATTEMPTS = 10;

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Register values are integers; stored as decimal text so etcdctl shows them plainly. */
function encodeValue(v: Json | undefined): string {
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  throw new Error(`etcd client: value must be a number or a string, got ${JSON.stringify(v)}`);
}

function decodeInt(text: string): Json {
  const n = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text;
}

interface RangeKv {
  key?: string;
  value?: string;
  mod_revision?: string;
}
interface RangeBody {
  kvs?: RangeKv[];
}
interface TxnBody {
  succeeded?: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * One POST on the pool through undici's dispatch handler: no response stream object per request, which
 * halves the client's CPU per op compared with pool.request() + body.text() (the hot path of every run).
 */
function exchange(pool: Pool, path: string, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    pool.dispatch(
      { path, method: 'POST', headers: JSON_HEADERS, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
      {
        // Present so undici takes this as a new-style handler (it checks for this method).
        onRequestStart() {},
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve({ status, body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
        },
        onResponseError(_c, err) {
          reject(err);
        },
      },
    );
  });
}

/** Thrown inside an op to end it with a classified non-ok outcome. */
class Ended extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.error ?? outcome.type);
  }
}

export class EtcdClient implements Client {
  private readonly pools = new Map<string, Pool>();
  /** Each node's gateway URL (watch streams open a connection of their own, outside the pool). */
  private readonly urls = new Map<string, string>();
  private readonly dialect: GatewayDialect;
  /** Errors raised by the connector (TCP connect / connect timeout): the request was never sent. */
  private readonly connectErrors = new WeakSet<object>();

  constructor(private readonly options: EtcdClientOptions) {
    this.dialect = options.dialect ?? ETCD_DIALECT;
  }

  async open(node: string, url: string): Promise<void> {
    if (this.pools.has(node)) return;
    this.urls.set(node, url);
    const base = buildConnector({ timeout: this.options.timeoutMs });
    const connectErrors = this.connectErrors;
    this.pools.set(
      node,
      new Pool(url, {
        connections: this.options.connectionsPerNode,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // Tag connector failures so the outcome table can tell "never sent" from "sent, then lost".
        connect(opts, cb) {
          base(opts, (err, socket) => {
            if (err) {
              connectErrors.add(err);
              cb(err, null);
            } else cb(null, socket);
          });
        },
      }),
    );
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    // destroy, not close: close waits for requests stuck on a paused node.
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  /** Performs an invocation and returns its completion (index/time are the recorder's). */
  invoke(op: Op): Promise<Completion> {
    return this.perform(op.f, op.node ?? '', op.key ?? '', op.value);
  }

  /** The operation itself. Never throws for store or network trouble. */
  private async perform(f: string, node: string, key: string, value: Json | undefined): Promise<Completion> {
    try {
      switch (f) {
        case 'read':
          // A read without a key is the set workload's whole-set read (etcd-set.ts); a register read names its key.
          if (key === '') return await setRead({ post: (path, body) => this.post(node, f, path, body), localReads: this.options.localReads });
          return { type: 'ok', value: await this.readValue(node, f, key, decodeInt) };
        case 'add':
          return await setAdd({ post: (path, body) => this.post(node, f, path, body), localReads: this.options.localReads }, value);
        case 'get':
          return { type: 'ok', value: await this.readValue(node, f, key, (s) => s) };
        case 'put':
          // Keys under watch/ are the watch workload's: its writes complete with their revision (etcd-watch.ts).
          if (key.startsWith(WATCH_PREFIX)) return await watchPut({ post: (path, body) => this.post(node, f, path, body) }, key, value);
          await this.post(node, f, '/v3/kv/put', { key: b64(key), value: b64(encodeValue(value)) });
          return { type: 'ok', value: value ?? null };
        case 'delete':
          return await watchDelete({ post: (path, body) => this.post(node, f, path, body) }, key);
        case 'watch': {
          const url = this.urls.get(node);
          if (url === undefined) throw new Error(`etcd client: node ${node} was not opened`);
          return await (this.dialect.watchOverWebsocket ? antietcdWatch(url, value) : etcdWatch(url, value));
        }
        case 'write':
          await this.post(node, f, '/v3/kv/put', { key: b64(key), value: b64(encodeValue(value)) });
          return { type: 'ok', value: value ?? null };
        case 'cas':
          return await this.cas(node, key, value);
        case 'append':
          return await this.append(node, key, value);
        case 'txn':
          return await listAppendTxn({ post: (path, body, as) => this.post(node, f, path, body, as), modEquals: this.dialect.modEquals, localReads: this.options.localReads }, value);
        default:
          throw new Error(`etcd client: unknown operation "${f}"`);
      }
    } catch (e) {
      if (e instanceof Ended) {
        const c: Completion = { type: e.outcome.type };
        if (e.outcome.error !== undefined) c.error = e.outcome.error;
        if (f === 'write' || f === 'put' || f === 'cas' || f === 'append' || f === 'add') c.value = value ?? null;
        return c;
      }
      throw e;
    }
  }

  private async readValue(node: string, f: string, key: string, decode: (s: string) => Json): Promise<Json> {
    const body = this.options.localReads ? { key: b64(key), serializable: true } : { key: b64(key) };
    const res = (await this.post(node, f, '/v3/kv/range', body)) as RangeBody;
    const kv = res.kvs?.[0];
    // An absent key has no kvs at all; a present key with an empty value omits `value` (zero fields are omitted).
    return kv ? decode(kv.value !== undefined ? unb64(kv.value) : '') : null;
  }

  private async cas(node: string, key: string, value: Json | undefined): Promise<Completion> {
    if (!Array.isArray(value) || value.length !== 2) throw new Error(`etcd client: cas value must be [expected, new], got ${JSON.stringify(value)}`);
    const [expected, next] = value;
    const res = (await this.post(node, 'cas', '/v3/kv/txn', {
      compare: [this.dialect.valueEquals(key, encodeValue(expected))],
      success: [{ requestPut: { key: b64(key), value: b64(encodeValue(next)) } }],
    })) as TxnBody;
    // A failed compare omits `succeeded` altogether (false is a zero value): the cas ran and saw another value.
    return res.succeeded === true ? { type: 'ok', value } : { type: 'ok', value, succeeded: false };
  }

  /**
   * Atomic append as read-modify-write guarded by mod_revision. A lost race changes nothing (the txn's compare
   * failed), so it is retried; each attempt's ambiguity is classified as usual.
   */
  private async append(node: string, key: string, value: Json | undefined): Promise<Completion> {
    const suffix = encodeValue(value);
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      // The read must be linearizable whatever the run's read mode, or the guard compares against stale state.
      const r = (await this.post(node, 'append', '/v3/kv/range', { key: b64(key) }, 'get')) as RangeBody;
      const kv = r.kvs?.[0];
      const current = kv?.value !== undefined ? unb64(kv.value) : '';
      const rev = kv?.mod_revision ?? '0';
      const res = (await this.post(node, 'append', '/v3/kv/txn', {
        compare: [this.dialect.modEquals(key, rev)],
        success: [{ requestPut: { key: b64(key), value: b64(current + suffix) } }],
      })) as TxnBody;
      if (res.succeeded === true) return { type: 'ok', value: value ?? null };
    }
    return { type: 'fail', value: value ?? null, error: 'append-contention' };
  }

  /**
   * POSTs JSON and returns the parsed 2xx body, or throws Ended with the classified outcome. `classifyAs`
   * lets a read inside a write (append's range) fail definitely: nothing was written yet.
   */
  private async post(node: string, f: string, path: string, body: unknown, classifyAs: string = f): Promise<unknown> {
    const pool = this.pools.get(node);
    if (!pool) throw new Error(`etcd client: node ${node} was not opened`);
    let attempt: Attempt;
    let text = '';
    try {
      const res = await exchange(pool, path, JSON.stringify(body), this.options.timeoutMs);
      text = res.body;
      attempt = { kind: 'response', status: res.status, body: text };
    } catch (e) {
      attempt = this.attemptOf(e);
    }
    const outcome = this.dialect.classify(classifyAs, attempt);
    if (outcome.type !== 'ok') throw new Ended(outcome);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Ended(unreadableSuccess(classifyAs));
    }
  }

  private attemptOf(e: unknown): Attempt {
    const err = e as { code?: string; message?: string };
    const code = err.code ?? 'UNKNOWN';
    // Our own malformed request is a bug to report, not an outcome of the store.
    if (code === 'UND_ERR_INVALID_ARG') throw e;
    const connectPhase = typeof e === 'object' && e !== null && this.connectErrors.has(e);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout', connectPhase: false };
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', connectPhase: true };
    return { kind: 'error', code, message: err.message ?? String(e), connectPhase };
  }
}
