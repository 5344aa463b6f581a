// `faultline serve [DIR]`: serve a published site on 127.0.0.1 until Ctrl-C.
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createStaticServer } from '../publish/server.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { envError, EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';

const USAGE = `usage: faultline serve [DIR] [--port P] [--json]

Serves DIR (default ./site, as written by faultline publish) on http://127.0.0.1:P/ (default 8080; 0 picks a
free port) for local browsing; only GET and HEAD, nothing outside DIR. Ctrl-C stops it.
--json prints {"dir", "url", "port"} on one line once it listens (for scripts that take the picked port).
exit codes: 0 stopped by Ctrl-C, 3 usage (DIR missing), 4 environment (port in use)`;

export const command: Command = {
  summary: 'serve a published site on 127.0.0.1 for local browsing',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseOptions('serve', argv, { port: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length > 1) throw usageError('faultline serve: give at most one DIR (see: faultline serve --help)');
    const dir = resolve(positionals[0] ?? 'site');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw usageError(`faultline serve: ${dir} is not a directory; write one with \`faultline publish ${positionals[0] ?? 'site'}\``);
    const port = parseNumber('serve', 'port', values.port, 0) ?? 8080;
    if (!Number.isInteger(port) || port > 65535) throw usageError(`faultline serve: --port must be a whole number 0–65535, got "${values.port}"`);
    const server = createStaticServer(dir);
    await new Promise<void>((ok, fail) => {
      server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? envError(`faultline serve: port ${port} is in use; pick another with --port`) : e));
      server.listen(port, '127.0.0.1', ok);
    });
    const { port: actual } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${actual}/`;
    process.stdout.write(values.json ? JSON.stringify({ dir, url, port: actual }) + '\n' : `serving ${dir} on ${url} (Ctrl-C stops)\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        server.close(() => done());
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.valid;
  },
};
