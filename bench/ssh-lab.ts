// Benchmark of the ssh lab on the local sandbox: one command's cost through ssh with and without the multiplexing
// master, a node's kill/restart signal round trip, and a 3-node lab and etcd cluster up and down.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/lab/sandbox.js';
import { newRunId, RunLedger } from '../src/lab/ledger.js';
import { SshLab } from '../src/lab/ssh.js';
import { SshConnection } from '../src/lab/ssh-conn.js';
import { loadHostsFile } from '../src/lab/ssh-hosts.js';
import { etcdSystem } from '../src/system/etcd.js';
import { quantile } from '../src/util/percentile.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const COMMANDS = Number(process.env['COMMANDS'] ?? 20);
const ms = (xs: number[], q: number): string => (quantile(xs, q) ?? NaN).toFixed(0);

const sb = await startSandbox(3);
try {
  const config = loadHostsFile(sb.hostsFile);
  const newLab = (): { lab: SshLab; registry: RunLedger } => {
    const runId = newRunId();
    const registry = RunLedger.create(runId, 'ssh');
    return { lab: new SshLab({ runId, nodeCount: 3, registry, ports: etcdSystem.ports, ssh: { hostsFile: sb.hostsFile } }), registry };
  };

  // Per command: through the lab's master, and a fresh connection each time (what the master saves).
  {
    const { lab, registry } = newLab();
    try {
      await lab.up();
      const mux: number[] = [];
      for (let i = 0; i < COMMANDS; i++) {
        const t = performance.now();
        await lab.exec('n1', 'true', []);
        mux.push(performance.now() - t);
      }
      const plain: number[] = [];
      const conn = new SshConnection(config.hosts[0]!, { runId: 'bench', knownHosts: config.knownHosts!, hostKeyChecking: 'strict', connectTimeoutS: 5, commandTimeoutS: 30 });
      for (let i = 0; i < COMMANDS; i++) {
        const t = performance.now();
        await conn.run('true', { mux: false });
        plain.push(performance.now() - t);
      }
      console.log(`one command (true) over ssh: multiplexed median ${ms(mux, 0.5)} ms (p90 ${ms(mux, 0.9)}), new connection each median ${ms(plain, 0.5)} ms (p90 ${ms(plain, 0.9)}) over ${COMMANDS}`);
      // A signal to a remote process and its arrival (SIGSTOP then SIGCONT), as pause/resume nemeses do.
      const p = lab.spawn('n2', 'sleep', ['600']);
      await new Promise((r) => p.once('spawn', r));
      const sig: number[] = [];
      const state = (): string => readFileSync(`/proc/${p.pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
      for (let i = 0; i < COMMANDS / 2; i++) {
        for (const [s, want] of [['SIGSTOP', 'T'], ['SIGCONT', 'S']] as const) {
          const t = performance.now();
          p.kill(s);
          while (state() !== want) await new Promise((r) => setTimeout(r, 2));
          sig.push(performance.now() - t);
        }
      }
      console.log(`signal to a remote pid until it took effect: median ${ms(sig, 0.5)} ms (p90 ${ms(sig, 0.9)}) over ${sig.length}`);
    } finally {
      await lab.down();
      await registry.release();
    }
  }

  for (const withEtcd of [false, true]) {
    const up: number[] = [];
    const down: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { lab, registry } = newLab();
      const runDir = mkdtempSync(join(tmpdir(), 'fl-bench-ssh-'));
      try {
        const t0 = performance.now();
        await lab.up();
        let cluster;
        if (withEtcd) {
          cluster = await etcdSystem.createCluster({ lab, settings: { heartbeatMs: 100, electionMs: 1000, preVote: true }, runDir, t0: process.hrtime.bigint() });
          await cluster.start(60_000);
        }
        up.push(performance.now() - t0);
        const t1 = performance.now();
        await cluster?.teardown();
        await lab.down();
        down.push(performance.now() - t1);
      } finally {
        await lab.down();
        await registry.release();
        rmSync(runDir, { recursive: true, force: true });
      }
    }
    console.log(`${withEtcd ? '3-node etcd healthy in ssh lab' : '3-node ssh lab (masters, guards, chains)'}: up median ${ms(up, 0.5)} ms (max ${Math.max(...up).toFixed(0)}), down median ${ms(down, 0.5)} ms (max ${Math.max(...down).toFixed(0)}) over ${ROUNDS} rounds`);
  }
} finally {
  await sb.down();
}
