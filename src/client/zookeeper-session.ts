// One ZooKeeper session to one server through node-zookeeper-client (pure JS), as promises with a per-call
// timeout, plus the `sync` the library lacks.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Callback = (error: ZkLibError | null, ...results: unknown[]) => void;

/** The library's error: `name` is ZooKeeper's code name (CONNECTION_LOSS, BAD_VERSION, NO_NODE, ...). */
interface ZkLibError extends Error {
  code: number;
  name: string;
}

interface Packet {
  request: unknown;
  callback: Callback;
}

/** The part of node-zookeeper-client's Client faultline uses (the package ships no types). */
interface RawClient {
  connect(): void;
  close(): void;
  once(event: string, listener: () => void): void;
  on(event: string, listener: () => void): void;
  getState(): { name: string; code: number };
  create(path: string, data: Buffer, callback: Callback): void;
  setData(path: string, data: Buffer, version: number, callback: Callback): void;
  getData(path: string, callback: Callback): void;
  connectionManager: { queue(request: unknown, callback: Callback): void };
}

interface ZkModule {
  createClient(connectionString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): RawClient;
}

interface JuteRecord {
  type?: number;
  path?: string;
  serialize(buffer: Buffer, offset: number): number;
}
interface JuteModule {
  OP_CODES: Record<string, number>;
  protocol: Record<string, new () => JuteRecord>;
  Request: new (header: JuteRecord, payload: JuteRecord) => unknown;
}

const zk = require('node-zookeeper-client') as ZkModule;
const jute = require('node-zookeeper-client/lib/jute') as JuteModule;

/** ZooKeeper's wire opcode for sync (ZooDefs.OpCode.sync); the library has the number but no request for it. */
const SYNC_OPCODE = 9;

/** A failed call: `code` is ZooKeeper's name for it, or OPERATION_TIMEOUT for our own per-call timeout. */
export class ZkError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export interface Stat {
  version: number;
}

export class ZkSession {
  private readonly raw: RawClient;
  private expired = false;

  constructor(
    readonly server: string,
    sessionTimeoutMs: number,
  ) {
    // retries 0: faultline decides what a failure means; spinDelay: reconnect quickly after a fault heals.
    this.raw = zk.createClient(server, { sessionTimeout: sessionTimeoutMs, spinDelay: 100, retries: 0 });
    this.raw.on('expired', () => {
      this.expired = true;
    });
    this.raw.connect();
  }

  /** An expired session never comes back: the owner replaces it. */
  get isExpired(): boolean {
    return this.expired;
  }

  close(): void {
    this.raw.close();
  }

  /** Resolves once connected, rejects with OPERATION_TIMEOUT otherwise. */
  connected(timeoutMs: number): Promise<void> {
    const st = this.raw.getState().name;
    if (st === 'SYNC_CONNECTED' || st === 'CONNECTED_READ_ONLY') return Promise.resolve();
    return this.call<void>((cb) => this.raw.once('connected', () => cb(null)), timeoutMs);
  }

  private call<T>(start: (cb: Callback) => void, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new ZkError('OPERATION_TIMEOUT'));
      }, timeoutMs);
      start((err, ...results) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(new ZkError(typeof err.name === 'string' && err.name !== 'Error' ? err.name : String(err.message)));
        else resolve(results as T);
      });
    });
  }

  async getData(path: string, timeoutMs: number): Promise<{ data: Buffer | undefined; stat: Stat }> {
    const [data, stat] = await this.call<[Buffer | undefined, Stat]>((cb) => this.raw.getData(path, cb), timeoutMs);
    return { data, stat };
  }

  async setData(path: string, data: Buffer, version: number, timeoutMs: number): Promise<Stat> {
    const [stat] = await this.call<[Stat]>((cb) => this.raw.setData(path, data, version, cb), timeoutMs);
    return stat;
  }

  async create(path: string, data: Buffer, timeoutMs: number): Promise<void> {
    await this.call<[string]>((cb) => this.raw.create(path, data, cb), timeoutMs);
  }

  /**
   * ZooKeeper's sync(path): the server this session talks to catches up with the leader before answering, so a
   * getData after it on the same session sees every write committed before the sync (the documented way to
   * read recent data). The request is SyncRequest{path}, the reply SyncResponse{path}; GetACLRequest has the
   * same wire shape. The library decodes a reply by the type of the pending request and drops the connection
   * on a type it does not know, so the header says 9 when serialized and DELETE afterwards: DELETE's reply
   * has no body to decode, which is all a sync reply needs (its path is not used).
   */
  async sync(path: string, timeoutMs: number): Promise<void> {
    const header = new jute.protocol['RequestHeader']!();
    header.type = SYNC_OPCODE;
    const serialize = header.serialize.bind(header);
    header.serialize = (buffer: Buffer, offset: number): number => {
      const n = serialize(buffer, offset);
      header.type = jute.OP_CODES['DELETE'];
      return n;
    };
    const payload = new jute.protocol['GetACLRequest']!();
    payload.path = path;
    const request = new jute.Request(header, payload);
    await this.call<unknown[]>((cb) => this.raw.connectionManager.queue(request, cb), timeoutMs);
  }
}
