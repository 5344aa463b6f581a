// A clock-faulted run that dies mid-run: the run's ledger, its libfaketime control directory and three nodes
// started under libfaketime as a lab and FaketimeClocks start them (marked environment, process recorded
// right after the fork, then its shm files). Prints what it made, then waits to be SIGKILLed.
//   n1: recorded as a run records it (process, then its shm files);
//   n2: killed between the two writes: the process is on record, its shm files are not;
//   n3: exited on its own before the crash; its shm files stay on record (the test leaves some in their place).
import { spawn } from 'node:child_process';

const dist = new URL('../../dist/src/', import.meta.url);
const { RunLedger, processStartTime } = await import(new URL('lab/ledger.js', dist).href);
const { markedEnv } = await import(new URL('lab/marker.js', dist).href);
const { FaketimeClocks, libfaketime } = await import(new URL('system/faketime.js', dist).href);

const runId = process.argv[2];
const ledger = RunLedger.create(runId, 'host');
const clocks = new FaketimeClocks(runId, ledger, libfaketime());
const never = new Promise(() => undefined);

function start(node, args) {
  const spec = clocks.wrap(node, { bin: 'sleep', args });
  const child = spawn(spec.bin, spec.args, { env: markedEnv(runId), detached: true, stdio: 'ignore' });
  ledger.add({ kind: 'process', pid: child.pid, startTime: processStartTime(child.pid) ?? '', what: `sleep ${node}` });
  return child;
}

const n1 = start('n1', ['300']);
clocks.launched('n1', n1, never);
const n2 = start('n2', ['300']);
const n3 = start('n3', ['0']);
clocks.launched('n3', n3, never);
await new Promise((r) => n3.once('exit', r));
process.stdout.write(JSON.stringify({ runId, clockDir: clocks.dir, pids: { n1: n1.pid, n2: n2.pid, n3: n3.pid } }) + '\n');
setInterval(() => undefined, 1 << 30);
