// The static server: content types, directory index, 404/405, and no way out of the root (.., %2e%2e, symlinks).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createStaticServer, resolveRequest } from '../../src/publish/server.js';

let base: string;
let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'fl-serve-'));
  root = join(base, 'site');
  mkdirSync(join(root, 'runs', 'a b'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<p>home</p>');
  writeFileSync(join(root, 'runs', 'a b', 'results.json'), '{"ok":true}');
  writeFileSync(join(root, 'runs', 'a b', 'index.html'), '<p>run</p>');
  writeFileSync(join(root, 'junit.xml'), '<testsuites/>');
  writeFileSync(join(base, 'secret.txt'), 'outside the root');
  symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'));
  server = createStaticServer(root);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(base, { recursive: true, force: true });
});

/** A raw request: the path goes on the wire exactly as given (fetch would normalise `..` away). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static server', () => {
  it('serves files with their content types and directories by their index.html', async () => {
    expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', body: '<p>home</p>' });
    expect(await get('/runs/a%20b/results.json')).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', body: '{"ok":true}' });
    expect(await get('/runs/a%20b/')).toMatchObject({ status: 200, body: '<p>run</p>' });
    expect((await get('/junit.xml')).type).toBe('application/xml; charset=utf-8');
    expect(await get('/index.html', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('answers 404 for missing files and 405 for other methods', async () => {
    expect((await get('/nope.html')).status).toBe(404);
    expect((await get('/index.html', 'POST')).status).toBe(405);
  });

  it('never serves anything outside the root', async () => {
    for (const p of ['/../secret.txt', '/runs/../../secret.txt', '/%2e%2e/secret.txt', '/runs/%2e%2e%2f%2e%2e%2fsecret.txt', '/link.txt', '/..%5csecret.txt', '/%00']) {
      const r = await get(p);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.body, p).not.toContain('outside the root');
    }
    expect(resolveRequest(root, '/%E0%A4%A')).toBeUndefined(); // malformed escape
  });
});
