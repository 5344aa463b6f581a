// A harness that builds a netns lab mid-fault and then waits to be SIGKILLed (for the sweep test).
import { NetnsLab } from '../../../src/lab/netns.js';
import { newRunId, RunLedger } from '../../../src/lab/ledger.js';
import { TOOL, PROBE_PORT, PROBE_PLAN } from './lab.js';

const runId = newRunId();
const registry = RunLedger.create(runId, 'netns');
const lab = new NetnsLab({ runId, nodeCount: 3, registry, ports: PROBE_PLAN });
await lab.up();
for (const n of lab.nodes) lab.spawn(n.name, process.execPath, [TOOL, 'serve', String(PROBE_PORT)]);
await lab.net.partition({ n1: ['n2'], n2: ['n1'] });
await lab.net.delay([{ from: 'n1', to: 'n3' }], 50, 5);
await lab.net.bandwidth(['n2'], 1000);
const pids = registry.resources().flatMap((r) => (r.kind === 'process' ? [{ pid: r.pid, startTime: r.startTime, what: r.what }] : []));
process.stdout.write(JSON.stringify({ runId, pids }) + '\n');
setInterval(() => undefined, 1 << 30);
