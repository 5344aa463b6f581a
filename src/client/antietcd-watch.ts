// The watch workload's watch streams on antietcd: its watch API is a websocket (README "Websocket-based watch
// APIs"), not the gateway's streaming POST, so this is a second client of the same record.
import { Buffer } from 'node:buffer';
import { WebSocket } from 'undici';
import type { Completion, Json } from '../history/op.js';
import { WATCH_WINDOW_MS } from './etcd-watch.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

function decode(text: string): Json {
  const n = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text;
}

interface AntiEvent {
  type?: string;
  kv?: { key?: string; value?: string; mod_revision?: number | string };
}
interface AntiMessage {
  result?: { created?: boolean; canceled?: boolean; cancel_reason?: string; compact_revision?: number; events?: AntiEvent[] };
  error?: string;
}

/**
 * One watch on antietcd's websocket for WATCH_WINDOW_MS, recorded as etcdWatch records it (ok: the window
 * ended it; info: the socket closed or the watch was canceled first; fail: never connected). The request
 * sent is the one recorded: key, range_end for a prefix (a directory range, key ending in '/', the only kind
 * antietcd serves), start_revision, and prev_kv when asked; antietcd 1.3.1 ignores prev_kv (its events carry
 * no prev_kv and no create_revision), so its events have no prevValue and no isCreate, and the checker says
 * so where prevKV was asked. Its README also says a watcher resumed from a revision gets "a consistent
 * snapshot of keys in interest", not every event: the checker's reliable and resumable are what show that.
 */
export function antietcdWatch(url: string, value: Json | undefined): Promise<Completion> {
  const v = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const key = typeof v['key'] === 'string' ? v['key'] : '';
  const create: Record<string, unknown> = { key: b64(key) };
  if (v['prefix'] === true) create['range_end'] = b64(key.replace(/\/$/, '0'));
  if (typeof v['startRev'] === 'number' && v['startRev'] > 0) create['start_revision'] = v['startRev'];
  if (v['prevKV'] === true) create['prev_kv'] = true;
  const responses: Json[][] = [];
  return new Promise((resolve) => {
    let settled = false;
    let established = false;
    const ws = new WebSocket(url.replace(/^http/, 'ws'));
    const finish = (c: Completion): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch {
        // already closing
      }
      resolve({ ...c, value: { responses } });
    };
    const broken = (error: string): void => finish(established ? { type: 'info', error } : { type: 'fail', error });
    const timer = setTimeout(() => finish({ type: 'ok' }), WATCH_WINDOW_MS);
    ws.onopen = () => {
      established = true;
      ws.send(JSON.stringify({ create_request: create }));
    };
    ws.onmessage = (m: { data: unknown }) => {
      let msg: AntiMessage;
      try {
        msg = JSON.parse(String(m.data)) as AntiMessage;
      } catch {
        return broken('unreadable-response');
      }
      if (msg.error) return broken(`error:${msg.error}`);
      const r = msg.result ?? {};
      if (r.events?.length) {
        responses.push(
          r.events.map((e) => {
            const type = e.type === 'DELETE' ? 'delete' : 'put';
            const out: { [k: string]: Json } = { rev: Number(e.kv?.mod_revision ?? 0), key: unb64(e.kv?.key ?? ''), type };
            if (type === 'put') out['value'] = decode(unb64(e.kv?.value ?? ''));
            return out;
          }),
        );
      }
      if (r.canceled) broken(`canceled${r.compact_revision ? `:compacted-${r.compact_revision}` : ''}${r.cancel_reason ? `:${r.cancel_reason.slice(0, 60)}` : ''}`);
    };
    ws.onerror = () => broken(established ? 'socket-error' : 'connect-error');
    ws.onclose = () => broken('socket-closed');
  });
}
