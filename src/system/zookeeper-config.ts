// ZooKeeper's per-node files (zoo.cfg, myid, log4j.properties) and how faultline's settings map onto them.
import type { LabNode } from '../lab/lab.js';
import type { RaftSettings } from './system.js';

/**
 * The mapping of heartbeat/election onto ZooKeeper's tick-based settings:
 * - tickTime = heartbeat: the leader pings followers every tickTime/2 and counts their acks per tick.
 * - syncLimit = round(election / heartbeat) ticks: a follower gives up on a silent leader (and a leader on a
 *   quorum of silent followers) after syncLimit ticks, so election ≈ tickTime × syncLimit, the analogue of
 *   Raft's election timeout.
 * - initLimit = max(2 × syncLimit, ⌈10 s / tickTime⌉) ticks: how long a new leader waits for followers to
 *   connect and sync; a JVM on a loaded machine needs seconds for that, so it is never below 10 s.
 * - zookeeper.cnxTimeout = election (ms): how long an election connection attempt to a peer may take; its
 *   5 s default would let a DROP partition stretch every election by 5 s per unreachable peer.
 * ZooKeeper has no pre-vote (FastLeaderElection), no snapshot count in entries (snapCount is close: it is
 * passed as snapCount when given).
 */
export interface ZkTiming {
  tickTime: number;
  syncLimit: number;
  initLimit: number;
  cnxTimeoutMs: number;
}

export function zkTiming(s: RaftSettings): ZkTiming {
  const tickTime = s.heartbeatMs;
  const syncLimit = Math.max(1, Math.round(s.electionMs / s.heartbeatMs));
  return { tickTime, syncLimit, initLimit: Math.max(2 * syncLimit, Math.ceil(10_000 / tickTime)), cnxTimeoutMs: s.electionMs };
}

/** Server ids are 1-based positions in the lab (n1 → 1): myid and server.N must agree. */
export const serverId = (nodes: readonly LabNode[], name: string): number => nodes.findIndex((n) => n.name === name) + 1;

export function zooCfg(me: LabNode, nodes: readonly LabNode[], dataDir: string, s: RaftSettings): string {
  const t = zkTiming(s);
  const lines = [
    `# faultline: ${me.name} (server.${serverId(nodes, me.name)})`,
    `tickTime=${t.tickTime}`,
    `initLimit=${t.initLimit}`,
    `syncLimit=${t.syncLimit}`,
    `dataDir=${dataDir}`,
    `clientPort=${me.clientPort}`,
    `clientPortAddress=${me.ip}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr,mntr,ruok,stat,conf',
    // A fixed ensemble: no dynamic reconfiguration.
    'reconfigEnabled=false',
    // Bind the peer ports on the node's own address (the host lab's nodes share 127.0.0.1).
    'quorumListenOnAllIPs=false',
    'maxClientCnxns=0',
    ...(s.snapshotCount !== undefined ? [`snapCount=${s.snapshotCount}`] : []),
    ...nodes.map((n, i) => `server.${i + 1}=${n.ip}:${n.ports['quorum']}:${n.ports['election']}`),
  ];
  return lines.join('\n') + '\n';
}

/** log4j 1.2 (Debian's slf4j binding): one file per node, ISO 8601 times (UTC: the JVM runs with user.timezone=UTC). */
export function log4jProperties(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.FileAppender',
    `log4j.appender.FILE.File=${logFile}`,
    'log4j.appender.FILE.Append=true',
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n',
  ].join('\n') + '\n';
}
