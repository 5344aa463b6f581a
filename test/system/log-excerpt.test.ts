// logExcerpt: an error message quotes a node's last lines and, above them, the lines naming its error. The
// fixtures are real: an antietcd node's crash (antietcd 1.3.1's lock bug, Node 20, lines stamped by the lab),
// ZooKeeper 3.8 refusing a data dir without myid (log4j), etcd 3.4 panicking on a garbage bbolt file (Go, its
// stderr; and its zap log's panic line as EtcdCluster.showLogLine shows it), and a healthy antietcd log. Only the
// scratch directory the ZooKeeper and etcd samples ran in is replaced by a run's node directory.
import { describe, expect, it } from 'vitest';
import { errorName, EXCERPT_GAP, EXCERPT_WINDOW, logExcerpt } from '../../src/system/log-excerpt.js';

const lines = (text: string): string[] => text.split('\n');

const NODE_CRASH = lines(`2026-12-01T16:09:30.524Z Copying state to n2
2026-12-01T16:09:30.710Z Raft n1: candidate, term 6
2026-12-01T16:09:30.724Z Raft n1: following n2, term 6
2026-12-01T16:09:30.800Z Synchronized with leader, new term is 6, mod_revision 0, compact_revision 0
2026-12-01T16:09:30.836Z Synchronized with leader, new term is 6, mod_revision 1, compact_revision 0
2026-12-01T16:09:30.893Z /work/main/node_modules/antietcd/antilocker.js:183
2026-12-01T16:09:30.893Z             throw new Error('BUG: revision '+lock_rev+' not locked');
2026-12-01T16:09:30.893Z             ^
2026-12-01T16:09:30.893Z 
2026-12-01T16:09:30.893Z Error: BUG: revision 1 not locked
2026-12-01T16:09:30.893Z     at AntiLocker.unlock_txn (/work/main/node_modules/antietcd/antilocker.js:183:19)
2026-12-01T16:09:30.893Z     at AntiCluster._handleUnlockMsg (/work/main/node_modules/antietcd/anticluster.js:632:38)
2026-12-01T16:09:30.893Z     at AntiCluster.handleWsMsg (/work/main/node_modules/antietcd/anticluster.js:492:18)
2026-12-01T16:09:30.893Z     at AntiEtcd._handleMessage (/work/main/node_modules/antietcd/antietcd.js:825:26)
2026-12-01T16:09:30.893Z     at WebSocket.<anonymous> (/work/main/node_modules/antietcd/antietcd.js:394:22)
2026-12-01T16:09:30.893Z     at WebSocket.emit (node:events:524:28)
2026-12-01T16:09:30.893Z     at Receiver.receiverOnMessage (/work/main/node_modules/ws/lib/websocket.js:1282:20)
2026-12-01T16:09:30.893Z     at Receiver.emit (node:events:524:28)
2026-12-01T16:09:30.893Z     at Receiver.dataMessage (/work/main/node_modules/ws/lib/receiver.js:641:14)
2026-12-01T16:09:30.893Z     at Receiver.getData (/work/main/node_modules/ws/lib/receiver.js:540:10)
2026-12-01T16:09:30.894Z 
2026-12-01T16:09:30.894Z Node.js v20.20.2`);

const JVM_EXCEPTION = lines(`2026-12-02 01:12:19,027 INFO  [main:QuorumPeerConfig@477] - metricsProvider.className is org.apache.zookeeper.metrics.impl.DefaultMetricsProvider
2026-12-02 01:12:19,034 ERROR [main:QuorumPeerMain@99] - Invalid config, exiting abnormally
org.apache.zookeeper.server.quorum.QuorumPeerConfig$ConfigException: Error processing /results/zk/20261202T011219-k3v9qa/nodes/n1/zoo.cfg
	at org.apache.zookeeper.server.quorum.QuorumPeerConfig.parse(QuorumPeerConfig.java:198)
	at org.apache.zookeeper.server.quorum.QuorumPeerMain.initializeAndRun(QuorumPeerMain.java:125)
	at org.apache.zookeeper.server.quorum.QuorumPeerMain.main(QuorumPeerMain.java:91)
Caused by: java.lang.IllegalArgumentException: myid file is missing
	at org.apache.zookeeper.server.quorum.QuorumPeerConfig.checkValidity(QuorumPeerConfig.java:792)
	at org.apache.zookeeper.server.quorum.QuorumPeerConfig.setupQuorumPeerConfig(QuorumPeerConfig.java:663)
	at org.apache.zookeeper.server.quorum.QuorumPeerConfig.parseProperties(QuorumPeerConfig.java:487)
	at org.apache.zookeeper.server.quorum.QuorumPeerConfig.parse(QuorumPeerConfig.java:194)
	... 2 more
2026-12-02 01:12:19,036 INFO  [main:ZKAuditProvider@42] - ZooKeeper audit is disabled.
2026-12-02 01:12:19,039 ERROR [main:ServiceUtils@42] - Exiting JVM with code 2`);

const GO_PANIC = lines(`2026-12-02 01:12:19.099296 W | pkg/fileutil: check file permission: directory "/results/etcd/20261202T011219-p2m7xd/nodes/n1/data" exist, but the permission is "drwxr-xr-x". The recommended permission is "-rwx------" to prevent possible unprivileged access to the data.
2026-12-02 01:12:19.099372 W | pkg/fileutil: check file permission: directory "/results/etcd/20261202T011219-p2m7xd/nodes/n1/data/member/snap" exist, but the permission is "drwxr-xr-x". The recommended permission is "-rwx------" to prevent possible unprivileged access to the data.
panic: failed to open database

goroutine 127 [running]:
go.uber.org/zap/zapcore.CheckWriteAction.OnWrite(0x2?, 0x58eedbe9ea783560?, {0x0?, 0x0?, 0xc0002222e0?})
	go.uber.org/zap/zapcore/entry.go:198 +0x65
go.uber.org/zap/zapcore.(*CheckedEntry).Write(0xc00016eea0, {0xc0000f9c00, 0x2, 0x2})
	go.uber.org/zap/zapcore/entry.go:264 +0x3ec
go.uber.org/zap.(*Logger).Panic(0xc000047580?, {0x1030078?, 0x180?}, {0xc0000f9c00, 0x2, 0x2})
	go.uber.org/zap/logger.go:251 +0x59
go.etcd.io/etcd/mvcc/backend.newBackend({{0xc000047580, 0x37}, 0x5f5e100, 0x2710, {0x101c8c3, 0x5}, 0x280000000, 0xc00020f730, 0x0})
	go.etcd.io/etcd/mvcc/backend/backend.go:162 +0x35c
go.etcd.io/etcd/mvcc/backend.New(...)
	go.etcd.io/etcd/mvcc/backend/backend.go:140
go.etcd.io/etcd/etcdserver.newBackend({{0x7ffd824508c7, 0x2}, {0x0, 0x0}, {0x0, 0x0}, {0xc00021d440, 0x1, 0x1}, {0xc00021d8c0, ...}, ...})
	go.etcd.io/etcd/etcdserver/backend.go:53 +0x3c5
go.etcd.io/etcd/etcdserver.openBackend.func1()
	go.etcd.io/etcd/etcdserver/backend.go:74 +0x58
created by go.etcd.io/etcd/etcdserver.openBackend
	go.etcd.io/etcd/etcdserver/backend.go:73 +0x12a`);

const PLAIN = lines(`2026-12-01T15:29:52.903Z Synchronized with leader, new term is 18, mod_revision 1292, compact_revision 0
2026-12-01T15:29:52.914Z connect ECONNREFUSED 10.254.96.11:2379
2026-12-01T15:29:53.908Z connect ECONNREFUSED 10.254.96.11:2379
2026-12-01T15:29:54.333Z Raft n3: candidate, term 19
2026-12-01T15:29:54.333Z Raft n3: following n2, term 19
2026-12-01T15:29:54.352Z Synchronized with leader, new term is 19, mod_revision 1402, compact_revision 0
2026-12-01T15:29:54.907Z connect ECONNREFUSED 10.254.96.11:2379
2026-12-01T15:29:55.236Z Raft n3: candidate, term 20
2026-12-01T15:29:55.238Z Raft n3: following n2, term 20
2026-12-01T15:29:55.250Z Synchronized with leader, new term is 20, mod_revision 1488, compact_revision 0
2026-12-01T15:29:55.905Z connect ECONNREFUSED 10.254.96.11:2379
2026-12-01T15:29:56.535Z Raft n3: candidate, term 21
2026-12-01T15:29:56.535Z Raft n3: following n2, term 21
2026-12-01T15:29:56.547Z Synchronized with leader, new term is 21, mod_revision 1594, compact_revision 0`);

/** etcd's zap log (etcd.log) as EtcdCluster.showLogLine shows it (`level msg: error`), ending in its panic line. */
const ZAP_SHOWN = [
  'info server has been already initialized',
  'info configuring peer listeners',
  'info configuring client listeners',
  'info starting an etcd server',
  'panic failed to open database: invalid database',
];

describe('logExcerpt', () => {
  it('a Node.js crash: the location, source line and caret, the Error line, then the tail', () => {
    // The lab stamps every line antietcd prints, the blank ones too (this fixture keeps its trailing space).
    expect(NODE_CRASH[8]).toBe('2026-12-01T16:09:30.893Z ');
    const out = logExcerpt(NODE_CRASH, 8);
    expect(out).toEqual([...NODE_CRASH.slice(5, 10), EXCERPT_GAP, ...NODE_CRASH.slice(-8)]);
    expect(out[4]).toBe('2026-12-01T16:09:30.893Z Error: BUG: revision 1 not locked');
    expect(out[0]).toBe('2026-12-01T16:09:30.893Z /work/main/node_modules/antietcd/antilocker.js:183');
    expect(out.at(-1)).toBe('2026-12-01T16:09:30.894Z Node.js v20.20.2');
  });

  it('quotes each line once: a tail that reaches the error is extended up to its location, without a gap', () => {
    // The Error line is the 13th from the end: a tail of 13 holds it, its location block joins it.
    expect(logExcerpt(NODE_CRASH, 13)).toEqual(NODE_CRASH.slice(5));
    // A crash event's 24 lines hold the whole of it: exactly the tail, as before.
    expect(logExcerpt(NODE_CRASH, 24)).toEqual(NODE_CRASH);
    expect(logExcerpt(NODE_CRASH, 20)).toEqual(NODE_CRASH.slice(2));
  });

  it('a JVM exception: the exception line above the tail that holds its "Caused by"', () => {
    const out = logExcerpt(JVM_EXCEPTION, 8);
    expect(out).toEqual([JVM_EXCEPTION[2], EXCERPT_GAP, ...JVM_EXCEPTION.slice(-8)]);
    expect(out[0]).toMatch(/^org\.apache\.zookeeper\.server\.quorum\.QuorumPeerConfig\$ConfigException: Error processing /);
    expect(out[2]).toBe('Caused by: java.lang.IllegalArgumentException: myid file is missing');
    // As ZooKeeper's logTail reads it: its stdout's error line after the log; the "Caused by" leaves the tail.
    const withStdout = [...JVM_EXCEPTION, 'Invalid config, exiting abnormally'];
    expect(logExcerpt(withStdout, 8)).toEqual([JVM_EXCEPTION[2], EXCERPT_GAP, ...withStdout.slice(-9)]);
  });

  it('a long "Caused by" chain is cut to its first and last naming lines', () => {
    const cause = JVM_EXCEPTION.slice(6, 11);
    const chain = [...JVM_EXCEPTION.slice(0, 6), ...Array.from({ length: 10 }, () => cause).flat(), ...JVM_EXCEPTION.slice(11)];
    const out = logExcerpt(chain, 8);
    const named = out.filter((l) => /Exception: /.test(l));
    expect(named).toHaveLength(4);
    expect(named[0]).toBe(JVM_EXCEPTION[2]);
    expect(out.length).toBeLessThanOrEqual(8 + 8);
    expect(out.slice(-8)).toEqual(chain.slice(-8));
  });

  it('a Go panic: the panic line above its goroutine dump', () => {
    const out = logExcerpt(GO_PANIC, 8);
    expect(out).toEqual([GO_PANIC[2], EXCERPT_GAP, ...GO_PANIC.slice(-8)]);
    expect(out[0]).toBe('panic: failed to open database');
    // zap's panic level as etcd's log is shown names it too (here above the dump without its panic line).
    const zap = [...ZAP_SHOWN, ...GO_PANIC.slice(3)];
    expect(logExcerpt(zap, 8)).toEqual([ZAP_SHOWN[4], EXCERPT_GAP, ...GO_PANIC.slice(-8)]);
  });

  it('a log with no error: the tail and nothing else', () => {
    for (const n of [1, 8, 14, 24]) expect(logExcerpt(PLAIN, n)).toEqual(PLAIN.slice(-n));
    expect(logExcerpt([], 8)).toEqual([]);
    expect(logExcerpt([''], 8)).toEqual(['']);
  });

  it('an error further up than EXCERPT_WINDOW lines is an old one: not quoted', () => {
    const later = Array.from({ length: EXCERPT_WINDOW }, (_, i) => PLAIN[i % PLAIN.length]!);
    expect(logExcerpt([...NODE_CRASH, ...later], 8)).toEqual(later.slice(-8));
    const near = later.slice(0, EXCERPT_WINDOW - 30);
    expect(logExcerpt([...NODE_CRASH, ...near], 8)).toContain(NODE_CRASH[9]);
  });
});

describe('errorName: what the one-line message of a node exit quotes', () => {
  it('the last naming line, without the lab stamp: the message, the root cause of a chain, the panic', () => {
    expect(errorName(NODE_CRASH)).toBe('Error: BUG: revision 1 not locked');
    expect(errorName(JVM_EXCEPTION)).toBe('Caused by: java.lang.IllegalArgumentException: myid file is missing');
    expect(errorName(GO_PANIC)).toMatch(/^panic: /);
  });

  it('none for a healthy log, an empty one, or an error older than EXCERPT_WINDOW lines', () => {
    expect(errorName(PLAIN)).toBeUndefined();
    expect(errorName([])).toBeUndefined();
    const later = Array.from({ length: EXCERPT_WINDOW }, (_, i) => PLAIN[i % PLAIN.length]!);
    expect(errorName([...NODE_CRASH, ...later])).toBeUndefined();
  });
});
