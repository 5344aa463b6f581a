// Pure parts of the etcd system and target resolution: log timeline, Prometheus text, target picking.
import { describe, expect, it } from 'vitest';
import { pickTargets, targetFromOptions } from '../../src/nemesis/targets.js';
import { parseEtcdLog } from '../../src/system/etcd-log.js';
import { parsePrometheus } from '../../src/system/etcd-metrics.js';

const LOG = [
  '{"level":"info","ts":"2026-11-23T21:28:16.373Z","caller":"raft/raft.go:706","msg":"b5179d13d0285315 became follower at term 1"}',
  'not json at all: became leader at term 99',
  '{"level":"info","ts":"2026-11-23T21:28:16.800Z","caller":"raft/raft.go:719","msg":"b5179d13d0285315 became pre-candidate at term 1"}',
  '{"level":"info","ts":"2026-11-23T21:28:16.824Z","caller":"raft/raft.go:719","msg":"b5179d13d0285315 became candidate at term 2"}',
  '{"level":"info","ts":"2026-11-23T21:28:16.824Z","caller":"raft/raft.go:771","msg":"b5179d13d0285315 became leader at term 2"}',
  '{"level":"info","ts":"2026-11-23T21:28:16.824Z","caller":"raft/node.go:327","msg":"raft.node: b5179d13d0285315 elected leader b5179d13d0285315 at term 2"}',
  '{"level":"info","ts":"2026-11-23T21:28:20.000Z","caller":"raft/node.go:333","msg":"raft.node: b5179d13d0285315 lost leader b5179d13d0285315 at term 3"}',
].join('\n');

describe('parseEtcdLog', () => {
  it('extracts elections with terms and ns since t0', () => {
    const t0 = Date.parse('2026-11-23T21:28:16.000Z');
    const ev = parseEtcdLog(LOG, 'n1', t0);
    expect(ev.map((e) => [e.event, e.term])).toEqual([
      ['follower', 1],
      ['pre-candidate', 1],
      ['candidate', 2],
      ['leader', 2],
      ['lost-leader', 3],
    ]);
    expect(ev[0]!.time).toBe(373_000_000);
    expect(ev[4]!.time).toBe(4_000_000_000);
    expect(ev.every((e) => e.node === 'n1')).toBe(true);
    expect(ev[3]!.line).toContain('became leader at term 2');
    expect(ev.every((e) => e.member === 'b5179d13d0285315')).toBe(true);
  });
  it('reads refused votes: whose, both logs, and why (log behind, voted for another, pre-vote term not ahead, lease, learner)', () => {
    const at = (msg: string): string => JSON.stringify({ level: 'info', ts: '2026-11-23T21:28:21.000Z', msg });
    const text = [
      at('f1531c09afe93527 [logterm: 3, index: 2648, vote: 0] rejected MsgVote from c539bdba82083616 [logterm: 2, index: 2647] at term 3'),
      at('79fec00beb5b2ffb [logterm: 1, index: 3, vote: 79fec00beb5b2ffb] rejected MsgVote from f17d6df58bec1b74 [logterm: 1, index: 3] at term 2'),
      at('79fec00beb5b2ffb [logterm: 2, index: 9, vote: 0] rejected MsgPreVote from f17d6df58bec1b74 [logterm: 2, index: 9] at term 2'),
      at('4be71545950794d4 [logterm: 2, index: 1273, vote: 4be71545950794d4] ignored MsgVote from 746d2990a91f32b1 [logterm: 2, index: 1273] at term 2: lease is not expired (remaining ticks: 8)'),
      at('19da8be3164eab5 [logterm: 2, index: 9, vote: 0] rejected MsgVote from 2cbf76ef8ce167ee [logterm: 2, index: 9] at term 4'),
      at('19da8be3164eab5 [logterm: 2, index: 9, vote: 0] ignored MsgPreVote from 2cbf76ef8ce167ee [logterm: 2, index: 9] at term 4: learner can not vote'),
      at('2cbf76ef8ce167ee [logterm: 2, index: 932, vote: 0] cast MsgVote for aff586bcce3330c4 [logterm: 2, index: 932] at term 3'),
    ].join('\n');
    const ev = parseEtcdLog(text, 'n2', Date.parse('2026-11-23T21:28:16.000Z'));
    expect(ev.map((e) => [e.event, e.term, e.member, e.vote?.why, e.vote?.candidate])).toEqual([
      ['vote-refused', 3, 'f1531c09afe93527', 'log', 'c539bdba82083616'],
      ['vote-refused', 2, '79fec00beb5b2ffb', 'voted', 'f17d6df58bec1b74'],
      ['vote-refused', 2, '79fec00beb5b2ffb', 'term', 'f17d6df58bec1b74'],
      ['vote-refused', 2, '4be71545950794d4', 'lease', '746d2990a91f32b1'],
      ['vote-refused', 4, '19da8be3164eab5', 'leader', '2cbf76ef8ce167ee'],
      ['vote-refused', 4, '19da8be3164eab5', 'learner', '2cbf76ef8ce167ee'],
    ]);
    expect(ev[0]!.vote).toEqual({ candidate: 'c539bdba82083616', preVote: false, own: { term: 3, index: 2648 }, theirs: { term: 2, index: 2647 }, why: 'log' });
    expect(ev[1]!.vote!.votedFor).toBe('79fec00beb5b2ffb');
    expect(ev[2]!.vote!.preVote).toBe(true);
    expect(ev[0]!.time).toBe(5_000_000_000);
  });
  it('gives negative times for events before t0 and skips garbage', () => {
    expect(parseEtcdLog(LOG, 'n2', Date.parse('2026-11-23T21:28:17.000Z'))[0]!.time).toBe(-627_000_000);
    expect(parseEtcdLog('{"msg":"became leader at term 3"}\n{bad', 'n1', 0)).toEqual([]);
  });
});

describe('parsePrometheus', () => {
  const TEXT = `# HELP etcd_server_has_leader Whether or not a leader exists.
# TYPE etcd_server_has_leader gauge
etcd_server_has_leader 1
etcd_server_leader_changes_seen_total 3
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 5
etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 9
etcd_disk_wal_fsync_duration_seconds_sum 0.0123
etcd_disk_wal_fsync_duration_seconds_count 9
etcd_network_peer_round_trip_time_seconds_sum{To="8e9e05c52164694d"} 0.5
go_goroutines 123
etcd_mvcc_db_total_size_in_bytes 2.048e+04
`;
  it('keeps only faultline series, with labels, histograms included', () => {
    const v = parsePrometheus(TEXT);
    expect(v).toEqual({
      etcd_server_has_leader: 1,
      etcd_server_leader_changes_seen_total: 3,
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"}': 5,
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"}': 9,
      etcd_disk_wal_fsync_duration_seconds_sum: 0.0123,
      etcd_disk_wal_fsync_duration_seconds_count: 9,
      'etcd_network_peer_round_trip_time_seconds_sum{To="8e9e05c52164694d"}': 0.5,
      etcd_mvcc_db_total_size_in_bytes: 20480,
    });
  });
});

describe('pickTargets', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const seq = (...xs: number[]) => () => xs.shift() ?? 0;
  it('sizes minority and majority for 3 and 5 nodes', () => {
    expect(pickTargets('minority', nodes, undefined, Math.random)).toHaveLength(2);
    expect(pickTargets('majority', nodes, undefined, Math.random)).toHaveLength(3);
    expect(pickTargets('minority', ['n1', 'n2', 'n3'], undefined, Math.random)).toHaveLength(1);
    expect(pickTargets('majority', ['n1', 'n2', 'n3'], undefined, Math.random)).toHaveLength(2);
  });
  it('is deterministic for a seeded source', () => {
    expect(pickTargets('one', nodes, undefined, seq(0.99, 0.5, 0.1, 0.7))).toEqual(pickTargets('one', nodes, undefined, seq(0.99, 0.5, 0.1, 0.7)));
  });
  it('resolves leader, followers, all, named', () => {
    expect(pickTargets('leader', nodes, 'n3', Math.random)).toEqual(['n3']);
    expect(pickTargets('followers', nodes, 'n3', Math.random)).toEqual(['n1', 'n2', 'n4', 'n5']);
    expect(pickTargets('all', nodes, undefined, Math.random)).toEqual(nodes);
    expect(pickTargets({ nodes: ['n2', 'n2'] }, nodes, undefined, Math.random)).toEqual(['n2']);
    expect(() => pickTargets({ nodes: ['n9'] }, nodes, undefined, Math.random)).toThrow(/unknown target node/);
    expect(() => pickTargets('leader', nodes, undefined, Math.random)).toThrow(/no leader/);
  });
  it('reads targets from nemesis options', () => {
    expect(targetFromOptions({ target: 'majority' }, 'one')).toBe('majority');
    expect(targetFromOptions({ target: 'n2' }, 'one')).toEqual({ nodes: ['n2'] });
    expect(targetFromOptions({ nodes: ['n1', 'n3'] }, 'one')).toEqual({ nodes: ['n1', 'n3'] });
    expect(targetFromOptions({}, 'leader')).toBe('leader');
    expect(() => targetFromOptions({ target: 5 }, 'one')).toThrow(/bad target/);
  });
});
