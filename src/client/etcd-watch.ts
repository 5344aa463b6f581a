// The watch workload on etcd's JSON gateway: writes that record their revision, and watch streams recorded
// response by response (POST /v3/watch, newline-delimited JSON).
import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import type { Completion, Json } from '../history/op.js';

/** What the writes need of the gateway client (src/client/etcd.ts): a POST that returns the parsed 2xx body or throws the classified outcome. */
export interface WatchGateway {
  post(path: string, body: unknown): Promise<unknown>;
}

/**
 * How long one watch request streams before the client ends it and completes it `ok` with what came:
 * long enough to see many writes, short enough that watchers resume often (every resumption is checked)
 * and that a stopping load waits at most this long.
 */
export const WATCH_WINDOW_MS = 1000;

/** The watch workload's key space: puts under it record their revision (the client's convention, so it lives here). */
export const WATCH_PREFIX = 'watch/';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Values are written as decimal text (etcdctl shows them plainly) and read back as numbers. */
function decode(text: string): Json {
  const n = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text;
}

interface Header {
  revision?: string | number;
}

/** A put, completing with the revision etcd assigned it (the response header's revision is the put's own). */
export async function watchPut(gw: WatchGateway, key: string, value: Json | undefined): Promise<Completion> {
  if (typeof value !== 'number' && typeof value !== 'string') throw new Error(`watch put: value must be a number or a string, got ${JSON.stringify(value)}`);
  const res = (await gw.post('/v3/kv/put', { key: b64(key), value: b64(String(value)) })) as { header?: Header };
  return { type: 'ok', value: { rev: Number(res.header?.revision ?? 0) } };
}

/**
 * A delete. Deleting an absent key makes no revision (etcd: deleted 0, the header is the current revision,
 * which belongs to some other write): that completion carries no `rev`, so the checker expects no event.
 */
export async function watchDelete(gw: WatchGateway, key: string): Promise<Completion> {
  const res = (await gw.post('/v3/kv/deleterange', { key: b64(key) })) as { header?: Header; deleted?: string | number };
  return Number(res.deleted ?? 0) > 0 ? { type: 'ok', value: { rev: Number(res.header?.revision ?? 0) } } : { type: 'ok', value: { deleted: 0 } };
}

interface WatchRequest {
  key: string;
  prefix: boolean;
  startRev: number;
  prevKV: boolean;
}

interface GatewayKv {
  key?: string;
  value?: string;
  mod_revision?: string | number;
  create_revision?: string | number;
}
interface GatewayEvent {
  type?: string;
  kv?: GatewayKv;
  prev_kv?: GatewayKv;
}
interface WatchMessage {
  result?: { created?: boolean; canceled?: boolean; cancel_reason?: string; compact_revision?: string | number; events?: GatewayEvent[] };
  error?: { message?: string; grpc_code?: number; http_code?: number };
}

function parseRequest(value: Json | undefined): WatchRequest {
  const v = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  return { key: typeof v['key'] === 'string' ? v['key'] : '', prefix: v['prefix'] === true, startRev: typeof v['startRev'] === 'number' ? v['startRev'] : 0, prevKV: v['prevKV'] === true };
}

/** The range end of a prefix: the prefix with its last byte + 1 (etcdctl's --prefix; "watch/" → "watch0"). */
function prefixEnd(key: string): string {
  const b = Buffer.from(key, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]!++;
      return end.toString('base64');
    }
  }
  return b64('\0');
}

function toEvent(e: GatewayEvent, prevKV: boolean): Json {
  const kv = e.kv ?? {};
  // PUT is the enum's zero value, so etcd's JSON omits it: no type means put.
  const type = e.type === 'DELETE' ? 'delete' : 'put';
  const out: { [k: string]: Json } = { rev: Number(kv.mod_revision ?? 0), key: unb64(kv.key ?? ''), type };
  if (type === 'put') {
    out['value'] = decode(unb64(kv.value ?? ''));
    // etcd's Event.IsCreate: a put whose create revision is its own revision.
    out['isCreate'] = Number(kv.create_revision ?? 0) === Number(kv.mod_revision ?? 0);
  }
  // With prev_kv asked, an absent prev_kv says the key did not exist before.
  if (prevKV) out['prevValue'] = e.prev_kv ? decode(unb64(e.prev_kv.value ?? '')) : null;
  return out;
}

/**
 * One watch request on `url` for WATCH_WINDOW_MS. The completion carries every response with events, grouped
 * as etcd sent them: `ok` when the window ended it, `info` when the stream broke first (the node died, the
 * watch was canceled), `fail` when no stream was ever established (a refused connection, a non-2xx answer):
 * a watch has no effect, so a failed one is definite.
 */
export function etcdWatch(url: string, value: Json | undefined): Promise<Completion> {
  const req = parseRequest(value);
  const create: Record<string, unknown> = { key: b64(req.key), start_revision: req.startRev, prev_kv: req.prevKV };
  if (req.prefix) create['range_end'] = prefixEnd(req.key);
  const responses: Json[][] = [];
  return new Promise((resolve) => {
    let settled = false;
    let established = false;
    const finish = (c: Completion): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      http.destroy();
      resolve({ ...c, value: { responses } });
    };
    const broken = (error: string): void => finish(established ? { type: 'info', error } : { type: 'fail', error });
    // A node that never answers (paused, partitioned) is not a broken stream: the window ends it, `ok`, empty.
    const timer = setTimeout(() => finish({ type: 'ok' }), WATCH_WINDOW_MS);
    const http = request(new URL('/v3/watch', url), { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        broken(`http-${res.statusCode ?? 0}`);
        return;
      }
      established = true;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line === '') continue;
          let m: WatchMessage;
          try {
            m = JSON.parse(line) as WatchMessage;
          } catch {
            broken('unreadable-response');
            return;
          }
          if (m.error) return broken(`grpc-${m.error.grpc_code ?? '?'}:${(m.error.message ?? '').slice(0, 80)}`);
          const r = m.result ?? {};
          if (r.events?.length) responses.push(r.events.map((e) => toEvent(e, req.prevKV)));
          if (r.canceled) return broken(`canceled${r.compact_revision ? `:compacted-${r.compact_revision}` : ''}${r.cancel_reason ? `:${r.cancel_reason.slice(0, 60)}` : ''}`);
        }
      });
      res.on('end', () => broken('stream-ended'));
      res.on('error', (e: NodeJS.ErrnoException) => broken(e.code === 'ECONNRESET' ? 'connection-reset' : `socket:${e.code ?? e.message}`));
    });
    http.on('error', (e: NodeJS.ErrnoException) => broken(e.code === 'ECONNREFUSED' ? 'connection-refused' : e.code === 'ECONNRESET' ? 'connection-reset' : `socket:${e.code ?? e.message}`));
    http.end(JSON.stringify({ create_request: create }));
  });
}
