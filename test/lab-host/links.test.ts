// Host-lab DROP semantics on raw TCP (root): "A drops what B sends" holds whichever side dialed the connection.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostLab } from '../../src/lab/host.js';
import { newRunId, RunLedger } from '../../src/lab/ledger.js';

const root = process.getuid?.() === 0;

// A line server that prints what it receives and echoes it; a client that sends stdin lines and prints echoes.
const SERVER = `require('net').createServer(s=>{s.setEncoding('utf8');s.on('data',d=>{process.stdout.write('got '+d);s.write(d)})}).listen(+process.argv[1],'127.0.0.1',()=>console.log('listening'))`;
const CLIENT = `const s=require('net').connect(+process.argv[1],'127.0.0.1',()=>console.log('connected'));s.setEncoding('utf8');s.on('data',d=>process.stdout.write('echo '+d));process.stdin.setEncoding('utf8');process.stdin.on('data',d=>s.write(d))`;

class Proc {
  out = '';
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => (this.out += d));
  }
  async waitFor(text: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.out.includes(text)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.out.includes(text);
  }
}

describe.skipIf(!root)('host lab link semantics on raw TCP (root)', () => {
  let lab: HostLab;
  let registry: RunLedger;
  const procs: Proc[] = [];
  const run = (uid: number, script: string, port: number): Proc => {
    const p = new Proc(spawn(process.execPath, ['-e', script, String(port)], { uid, gid: uid }));
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    const runId = newRunId();
    registry = RunLedger.create(runId, 'host');
    lab = new HostLab({ runId, nodeCount: 2, registry, ports: { ports: { client: 2379, peer: 2380 }, peer: ['peer'] } });
    await lab.up();
  });
  // Each test's processes go even when it fails, so the next test can listen on the same ports.
  afterEach(async () => {
    await Promise.all(
      procs.splice(0).map((p) => (p.child.exitCode === null && p.child.signalCode === null ? new Promise((r) => p.child.once('exit', r).kill('SIGKILL')) : undefined)),
    );
  });
  afterAll(async () => {
    await lab?.down();
    await registry?.release();
  });

  /** `dialer` connects to `listener`'s peer port; returns both ends after one successful round trip. */
  async function connect(dialer: string, listener: string, tag: string): Promise<{ server: Proc; client: Proc }> {
    const l = lab.node(listener);
    const d = lab.node(dialer);
    const server = run(l.uid!, SERVER, l.ports['peer']!);
    expect(await server.waitFor('listening', 5000)).toBe(true);
    const client = run(d.uid!, CLIENT, l.ports['peer']!);
    expect(await client.waitFor('connected', 5000)).toBe(true);
    client.child.stdin.write(`${tag}-warm\n`);
    expect(await client.waitFor(`echo ${tag}-warm`, 5000)).toBe(true);
    return { server, client };
  }

  it('A drops from B on a connection A dialed: A→B data arrives, B→A replies vanish', async () => {
    const { server, client } = await connect('n1', 'n2', 'c1');
    await lab.net.partition({ n1: ['n2'] });
    try {
      client.child.stdin.write('c1-cut\n');
      expect(await server.waitFor('got c1-cut', 3000)).toBe(true);
      expect(await client.waitFor('echo c1-cut', 1500)).toBe(false);
    } finally {
      await lab.net.heal();
    }
    // TCP retransmits once healed: the echo arrives late, nothing was refused.
    expect(await client.waitFor('echo c1-cut', 5000)).toBe(true);
  });

  it('A drops from B on a connection B dialed: B→A data vanishes', async () => {
    const { server, client } = await connect('n2', 'n1', 'c2');
    await lab.net.partition({ n1: ['n2'] });
    try {
      client.child.stdin.write('c2-cut\n');
      expect(await server.waitFor('got c2-cut', 1500)).toBe(false);
    } finally {
      await lab.net.heal();
    }
    expect(await server.waitFor('got c2-cut', 5000)).toBe(true);
  });

  it('the other direction is untouched: B drops from A leaves B→A replies flowing on an A-dialed connection', async () => {
    const { server, client } = await connect('n1', 'n2', 'c3');
    await lab.net.partition({ n2: ['n1'] });
    try {
      client.child.stdin.write('c3-cut\n');
      expect(await server.waitFor('got c3-cut', 1500)).toBe(false);
    } finally {
      await lab.net.heal();
    }
    expect(await client.waitFor('echo c3-cut', 5000)).toBe(true);
  });
});
