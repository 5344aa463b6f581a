// ZooKeeper's four-letter words (srvr, mntr, ruok) over a plain TCP connection, and their parsers.
import { connect } from 'node:net';

/** Sends a four-letter word and returns the whole reply (the server closes the connection after it). */
export function fourLetter(host: string, port: number, word: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect({ host, port });
    const timer = setTimeout(() => sock.destroy(new Error(`${word} on ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    sock.once('connect', () => sock.end(word));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface Srvr {
  /** leader, follower, observer, standalone; undefined while LOOKING ("not currently serving requests"). */
  mode?: string;
  /** Last processed zxid: epoch in the high 32 bits, counter in the low 32. */
  zxid: bigint;
  epoch: number;
  counter: number;
}

export function parseSrvr(text: string): Srvr {
  const mode = /^Mode:\s*(\S+)/m.exec(text)?.[1];
  const z = /^Zxid:\s*(0x[0-9a-f]+)/im.exec(text)?.[1];
  const zxid = z ? BigInt(z) : 0n;
  return { ...(mode ? { mode } : {}), zxid, epoch: Number(zxid >> 32n), counter: Number(zxid & 0xffffffffn) };
}

/** mntr's tab-separated key/value lines; numbers where they are numbers. */
export function parseMntr(text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const k = line.slice(0, tab);
    const v = line.slice(tab + 1).trim();
    out[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}
