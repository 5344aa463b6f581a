// ZooKeeper's log (log4j, ISO 8601 in UTC): line times and the election timeline (LOOKING / LEADING / FOLLOWING).
import type { ElectionEvent } from './system.js';

/** "2026-12-01 15:20:20,399 INFO  [...] - msg": the JVM runs with user.timezone=UTC so the time is UTC. */
const STAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) /;

export function zookeeperLineTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** QuorumPeer's state lines: " - LOOKING", " - LEADING", " - FOLLOWING" end the line exactly. */
const STATE = / - (LOOKING|LEADING|FOLLOWING)$/;
/** Election notifications carry the proposed leader's epoch; the epoch being formed is one above it. */
const PEER_EPOCH = /n\.peerEpoch:0x([0-9a-f]+)/;
/** The leader names its new epoch in the zxid it starts from (epoch in the high 32 bits). */
const LEADER_ZXID = /Have quorum of supporters.*setting last processed zxid: 0x([0-9a-f]+)/;

/**
 * One node's election timeline. ZooKeeper's "term" is its epoch: for LEADING the epoch the leader established
 * (from its zxid line when present), for FOLLOWING/LOOKING one above the latest peerEpoch its election saw.
 */
export function parseZookeeperLog(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
  const out: ElectionEvent[] = [];
  let peerEpoch = 0;
  let pendingLeader: ElectionEvent | undefined;
  for (const line of text.split('\n')) {
    const pe = PEER_EPOCH.exec(line);
    if (pe) peerEpoch = Math.max(peerEpoch, parseInt(pe[1]!, 16));
    const lz = LEADER_ZXID.exec(line);
    if (lz && pendingLeader) {
      pendingLeader.term = Number(BigInt(`0x${lz[1]}`) >> 32n);
      pendingLeader = undefined;
      continue;
    }
    const st = STATE.exec(line);
    if (!st) continue;
    const at = zookeeperLineTime(line);
    if (at === undefined) continue;
    const event = st[1] === 'LEADING' ? 'leader' : st[1] === 'FOLLOWING' ? 'follower' : 'candidate';
    const e: ElectionEvent = { time: Math.round((at - t0EpochMs) * 1e6), node, term: peerEpoch + 1, event, line };
    out.push(e);
    if (event === 'leader') pendingLeader = e;
  }
  return out;
}
