// A tiny network probe run inside lab namespaces by the tests: echo/count server and measuring clients.
// serve PORT            TCP echo on PORT, UDP datagram counter on PORT, counts as JSON over TCP on PORT+1
// connect HOST PORT MS  try a TCP connect: {"result":"ok"|"timeout"|"ECONNREFUSED"|...,"ms":n}
// rtt HOST PORT N       N one-byte TCP round trips: {"medianMs":n,"minMs":n}
// xfer HOST PORT BYTES  send BYTES and wait for their echo: {"ms":n}
// udp HOST PORT N       send N datagrams (paced) to HOST:PORT: {"sent":N}
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';

const [mode, ...args] = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');

if (mode === 'serve') {
  const port = Number(args[0]);
  const counts = {};
  createServer((s) => s.pipe(s).on('error', () => {})).listen(port);
  createSocket('udp4')
    .on('message', (_m, rinfo) => (counts[rinfo.address] = (counts[rinfo.address] ?? 0) + 1))
    .bind(port);
  // A client that hangs up first (the harness's reachability check does) must not crash the server with an
  // unhandled EPIPE/ECONNRESET: later probes would then find the port refused.
  createServer((s) => s.on('error', () => {}).end(JSON.stringify(counts))).listen(port + 1);
} else if (mode === 'connect') {
  const [host, port, ms] = [args[0], Number(args[1]), Number(args[2])];
  const t0 = performance.now();
  const s = connect({ host, port });
  const timer = setTimeout(() => {
    out({ result: 'timeout', ms: performance.now() - t0 });
    process.exit(0);
  }, ms);
  s.on('connect', () => {
    out({ result: 'ok', ms: performance.now() - t0 });
    process.exit(0);
  });
  s.on('error', (e) => {
    clearTimeout(timer);
    out({ result: e.code ?? e.message, ms: performance.now() - t0 });
    process.exit(0);
  });
} else if (mode === 'rtt') {
  const [host, port, n] = [args[0], Number(args[1]), Number(args[2])];
  const s = connect({ host, port });
  s.setNoDelay(true);
  const times = [];
  let t0 = 0;
  s.on('connect', () => {
    t0 = performance.now();
    s.write('x');
  });
  s.on('data', () => {
    times.push(performance.now() - t0);
    if (times.length >= n) {
      times.sort((a, b) => a - b);
      out({ medianMs: times[Math.floor(times.length / 2)], minMs: times[0] });
      process.exit(0);
    }
    t0 = performance.now();
    s.write('x');
  });
} else if (mode === 'xfer') {
  const [host, port, bytes] = [args[0], Number(args[1]), Number(args[2])];
  const s = connect({ host, port });
  let got = 0;
  let t0 = 0;
  s.on('connect', () => {
    t0 = performance.now();
    s.write(Buffer.alloc(bytes, 7));
  });
  s.on('data', (d) => {
    got += d.length;
    if (got >= bytes) {
      out({ ms: performance.now() - t0 });
      process.exit(0);
    }
  });
} else if (mode === 'udp') {
  const [host, port, n] = [args[0], Number(args[1]), Number(args[2])];
  const s = createSocket('udp4');
  let sent = 0;
  // Paced in small bursts so no socket buffer overflows: every missing datagram is the fault's doing.
  const tick = () => {
    for (let i = 0; i < 20 && sent < n; i++, sent++) s.send('p', port, host);
    if (sent < n) setTimeout(tick, 2);
    else setTimeout(() => (out({ sent }), process.exit(0)), 50);
  };
  tick();
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
