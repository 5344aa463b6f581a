// Client for ZooKeeper: the register workload on one znode per key (write = setData, cas = versioned
// read-modify-write, read = [sync +] getData), one session per server, outcomes classified ok / fail / info.
import { Buffer } from 'node:buffer';
import type { Completion, Json, Op } from '../history/op.js';
import type { Client, ClientOptions } from './client.js';
import { ZkError, ZkSession } from './zookeeper-session.js';

/**
 * Errors after which a mutation may or may not have been applied: the request may have reached the leader
 * before the connection dropped, the session expired or our timeout fired (Jepsen's zookeeper test treats
 * them the same way). Everything else ZooKeeper answers (BAD_VERSION, NO_NODE, NODE_EXISTS) is a definite
 * refusal: the request ran and changed nothing.
 */
const INDEFINITE = new Set(['CONNECTION_LOSS', 'SESSION_EXPIRED', 'OPERATION_TIMEOUT', 'SESSION_MOVED']);

/** A cas retries its read-modify-write when another writer got in between; after this many it gives up (fail). */
const CAS_ATTEMPTS = 3;

/** The session timeout asked for; the server clamps it to [2, 20] × tickTime. */
const SESSION_TIMEOUT_MS = 10_000;

export const znodeOf = (key: string): string => `/fl-${encodeURIComponent(key)}`;

function encode(v: Json | undefined): Buffer {
  if (typeof v === 'number' || typeof v === 'string') return Buffer.from(String(v), 'utf8');
  throw new Error(`zookeeper client: value must be a number or a string, got ${JSON.stringify(v)}`);
}

function decode(data: Buffer | undefined): Json {
  const text = data ? data.toString('utf8') : '';
  const n = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text;
}

/** Ends an op with a classified non-ok outcome. */
class Ended extends Error {
  constructor(
    readonly type: 'fail' | 'info',
    readonly reason: string,
  ) {
    super(reason);
  }
}

const codeOf = (e: unknown): string => (e instanceof ZkError ? e.code : (e as Error).message);

export interface ZookeeperClientOptions extends ClientOptions {
  /** sync before every read (ZooKeeper's documented way to read recent data); false reads the server's local state. */
  syncReads?: boolean;
}

export class ZookeeperClient implements Client {
  private readonly sessions = new Map<string, ZkSession>();
  private readonly servers = new Map<string, string>();
  private readonly syncByNode = new Map<string, boolean>();

  constructor(private readonly options: ZookeeperClientOptions) {}

  /** `url` is the cluster's clientUrl: zk://ip:port, with ?reads=local when the run's syncReads is off. */
  async open(node: string, url: string): Promise<void> {
    const u = new URL(url);
    this.servers.set(node, `${u.hostname}:${u.port}`);
    const local = this.options.localReads || this.options.syncReads === false || u.searchParams.get('reads') === 'local';
    this.syncByNode.set(node, !local);
    this.session(node);
  }

  /** The node's session, replaced when it expired (an expired session never reconnects). */
  private session(node: string): ZkSession {
    let s = this.sessions.get(node);
    if (!s || s.isExpired) {
      s?.close();
      const server = this.servers.get(node);
      if (!server) throw new Error(`zookeeper client: node ${node} was not opened`);
      s = new ZkSession(server, SESSION_TIMEOUT_MS);
      this.sessions.set(node, s);
    }
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  invoke(op: Op): Promise<Completion> {
    return this.perform(op.f, op.node ?? '', op.key ?? '', op.value);
  }

  private async perform(f: string, node: string, key: string, value: Json | undefined): Promise<Completion> {
    const s = this.session(node);
    const t = this.options.timeoutMs;
    try {
      switch (f) {
        case 'read':
        case 'get':
          return { type: 'ok', value: await this.read(s, znodeOf(key), this.syncByNode.get(node) ?? true, t) };
        case 'write':
        case 'put':
          await this.write(s, znodeOf(key), encode(value), t);
          return { type: 'ok', value: value ?? null };
        case 'cas':
          return await this.cas(s, znodeOf(key), value, t);
        default:
          throw new Error(`zookeeper client: unknown operation "${f}"`);
      }
    } catch (e) {
      if (!(e instanceof Ended)) throw e;
      const c: Completion = { type: e.type, error: e.reason };
      if (f !== 'read' && f !== 'get') c.value = value ?? null;
      return c;
    }
  }

  /** A read has no effect: any failure is a definite fail. An absent znode reads as null. */
  private async read(s: ZkSession, path: string, sync: boolean, t: number): Promise<Json> {
    try {
      if (sync) await s.sync(path, t);
      const { data } = await s.getData(path, t);
      return decode(data);
    } catch (e) {
      if (codeOf(e) === 'NO_NODE') return null;
      throw new Ended('fail', codeOf(e));
    }
  }

  /** A step of a mutation: indefinite errors end the op as info, definite ones are returned to the caller. */
  private async mutate<T>(step: () => Promise<T>): Promise<T | ZkError> {
    try {
      return await step();
    } catch (e) {
      const code = codeOf(e);
      if (INDEFINITE.has(code)) throw new Ended('info', code);
      if (e instanceof ZkError) return e;
      throw e;
    }
  }

  /** write = setData at any version; the znode is created on first write (a lost create race means: set it). */
  private async write(s: ZkSession, path: string, data: Buffer, t: number): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const set = await this.mutate(() => s.setData(path, data, -1, t));
      if (!(set instanceof ZkError)) return;
      if (set.code !== 'NO_NODE') throw new Ended('fail', set.code);
      const made = await this.mutate(() => s.create(path, data, t));
      if (!(made instanceof ZkError)) return;
      if (made.code !== 'NODE_EXISTS') throw new Ended('fail', made.code);
    }
    throw new Ended('fail', 'create-race');
  }

  /**
   * cas [expected, new] as a versioned read-modify-write. The read is always sync + getData, whatever the
   * run's read mode: "the register did not hold `expected`" (ok, succeeded:false) is an observation the checker
   * relies on, and a stale local read would turn it into a false alarm.
   *
   * BAD_VERSION after reading `expected` proves only that someone wrote in between, not that the register
   * stopped holding `expected`: the intervening write may have written the same value. Reporting
   * succeeded:false there could be unlinearizable on a correct store. So the cas reads again and retries
   * (a value other than `expected` on the re-read is then a genuine observation); if every attempt loses the
   * race it ends as a definite fail, which is true (nothing was written) and drops the op from the check.
   */
  private async cas(s: ZkSession, path: string, value: Json | undefined, t: number): Promise<Completion> {
    if (!Array.isArray(value) || value.length !== 2) throw new Error(`zookeeper client: cas value must be [expected, new], got ${JSON.stringify(value)}`);
    const [expected, next] = value;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      let current: Json;
      let version = -1;
      try {
        await s.sync(path, t);
        const r = await s.getData(path, t);
        current = decode(r.data);
        version = r.stat.version;
      } catch (e) {
        // Nothing was written yet: a failed read inside the cas is definite.
        if (codeOf(e) !== 'NO_NODE') throw new Ended('fail', codeOf(e));
        current = null;
      }
      if (current !== expected) return { type: 'ok', value, succeeded: false };
      const done = version < 0 ? await this.mutate(() => s.create(path, encode(next), t)) : await this.mutate(() => s.setData(path, encode(next), version, t));
      if (!(done instanceof ZkError)) return { type: 'ok', value };
      if (done.code !== 'BAD_VERSION' && done.code !== 'NO_NODE' && done.code !== 'NODE_EXISTS') throw new Ended('fail', done.code);
    }
    return { type: 'fail', value, error: 'cas-contention' };
  }
}
