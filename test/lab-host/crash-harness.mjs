// A harness that dies mid-fault: starts a cluster, a partition and a strace attachment, prints what it made, waits to be SIGKILLed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../../dist/src/', import.meta.url);
const { HostLab } = await import(new URL('lab/host.js', dist).href);
const { RunLedger, newRunId } = await import(new URL('lab/ledger.js', dist).href);
const { EtcdSystem } = await import(new URL('system/etcd.js', dist).href);
const { definitions } = await import(new URL('nemesis/slow-fsync.js', dist).href);

const runId = newRunId();
const registry = RunLedger.create(runId, 'host');
const runDir = mkdtempSync(join(tmpdir(), `fl-crash-${runId}-`));
const system = new EtcdSystem();
const lab = new HostLab({ runId, nodeCount: 3, registry, ports: system.ports });
await lab.up();
const cluster = await system.createCluster({ lab, runDir, t0: process.hrtime.bigint(), settings: { heartbeatMs: 50, electionMs: 500, preVote: true } });
await cluster.start(30_000);
await lab.net.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
const nemesis = definitions[0].create({ target: { nodes: ['n2'] }, delayMs: 20 });
await nemesis.setup({ lab, cluster, system, runDir, random: Math.random });
const v = await nemesis.invoke('start-slow-fsync', null);
process.stdout.write(JSON.stringify({ runId, runDir, chain: lab.chain, etcdPids: cluster.nodes.map((n) => cluster.pid(n)), stracePid: v.nodes[0].stracePid }) + '\n');
setInterval(() => undefined, 1 << 30);
