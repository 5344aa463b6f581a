// antietcd's dialect of the etcd JSON gateway: its compares, and its text/plain errors classified as definite
// (nothing applied) or indefinite from where its source raises them.
import type { GatewayDialect } from '../client/etcd.js';
import { b64 } from '../client/etcd.js';
import { classify, type Attempt, type Outcome } from '../client/outcome.js';

/**
 * 503 messages raised before a request touched any state (antietcd 1.3.1, anticluster.js checkRaftState,
 * _forwardToLeader, _checkLeader): no quorum yet, a leader-only request on a follower, no connection to the
 * leader to forward to. The request was refused, so a write is a definite `fail`.
 */
const REFUSED_503 = [/^Quorum not available/, /^Not leader/, /^Leader is unavailable/];

/**
 * Everything else may come after the change was applied on the leader and sent to followers:
 * "Replication failed, please retry request" and "Peer connection is lost, please retry request" are raised
 * in _requestFollowers after the leader applied the change locally; "timeout" is a forwarded request whose
 * answer never came. Those are `info`.
 */
export function classifyAntietcd(f: string, a: Attempt): Outcome {
  if (a.kind !== 'response' || (a.status >= 200 && a.status < 300)) return classify(f, a);
  const message = a.body.trim();
  const reason = `http-${a.status}:${message.slice(0, 60)}`;
  // Refused by the HTTP layer or the API table before any handler ran: bad request, unknown path, POST only,
  // unsupported compare (501), access denied, and 502 "Server is stopping" (checked first in api()).
  if ([400, 403, 404, 405, 501, 502].includes(a.status)) return { type: 'fail', error: reason };
  if (a.status === 503 && REFUSED_503.some((re) => re.test(message))) return { type: 'fail', error: reason };
  // Reads have no effect: any failure is definite (as for etcd).
  if (f === 'read' || f === 'get') return { type: 'fail', error: reason };
  return { type: 'info', error: reason };
}

export const ANTIETCD_DIALECT: GatewayDialect = {
  // A compare names no `result`: absent means equality, and "EQUAL" itself is answered 501. VALUE compares
  // against the raw value (only the key is base64-decoded by antietcd).
  valueEquals: (key, expected) => ({ key: b64(key), target: 'VALUE', value: expected }),
  modEquals: (key, revision) => ({ key: b64(key), target: 'MOD', mod_revision: Number(revision) }),
  classify: classifyAntietcd,
  // Its watches are websocket messages (README "Websocket-based watch APIs"): src/client/antietcd-watch.ts.
  watchOverWebsocket: true,
};
