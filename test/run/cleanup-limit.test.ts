// Ctrl-C ends the process in bounded time even when a cleanup hangs; the cleanups after it still run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const harness = fileURLToPath(new URL('./cleanup-harness.mjs', import.meta.url));

async function interrupted(mode: string): Promise<{ code: number | null; ms: number; out: string; err: string }> {
  const child = spawn(process.execPath, [harness, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FAULTLINE_CLEANUP_LIMIT_MS: '300' } });
  try {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    const t = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    return { code, ms: Date.now() - t, out, err };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('cleanup on SIGINT', () => {
  it('abandons a hung cleanup after the limit, says so, runs the rest, exits 130', async () => {
    const r = await interrupted('hung');
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(5000);
    expect(r.err.trim()).toBe('faultline: cleanup did not finish within 0.3 s; run `faultline lab sweep` to remove what is left');
    expect(r.out).toContain('older cleanup ran');
  });

  it('waits for a command that stops itself in order, however long past the limit', async () => {
    const r = await interrupted('interrupt');
    expect(r.code).toBe(130);
    expect(r.ms).toBeGreaterThanOrEqual(800);
    expect(r.err).toBe('');
    expect(r.out).toContain('interrupted\ncommand finished');
  });
});
