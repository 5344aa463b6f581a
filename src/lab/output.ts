// Where a lab-spawned process's stdout and stderr go: appended to a log file as they are, or line by line with
// the harness's arrival time in front, for systems whose own log lines carry no time.
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { SpawnOptions } from './lab.js';

export interface SpawnOutput {
  stdio: StdioOptions;
  /** Connects the child's pipes (stamped mode); a no-op when the child writes to the file itself. */
  attach(child: ChildProcess): void;
  /** Releases the parent's copy of the file descriptor once the child has its own. */
  close(): void;
}

export function openOutput(options: SpawnOptions): SpawnOutput {
  if (!options.logFile) return { stdio: ['ignore', 'ignore', 'ignore'], attach: () => undefined, close: () => undefined };
  if (!options.stampLines) {
    const fd = openSync(options.logFile, 'a');
    return { stdio: ['ignore', fd, fd], attach: () => undefined, close: () => closeSync(fd) };
  }
  const file = options.logFile;
  return {
    stdio: ['ignore', 'pipe', 'pipe'],
    attach(child) {
      const sink = createWriteStream(file, { flags: 'a' });
      let open = 2;
      const done = (): void => {
        if (--open === 0) sink.end();
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) stampLines(stream, (line) => sink.write(`${new Date().toISOString()} ${line}\n`), done);
        else done();
      }
    },
    close: () => undefined,
  };
}

/** Splits a byte stream into lines; a last line without its newline is still delivered at the end. */
function stampLines(stream: Readable, onLine: (line: string) => void, onEnd: () => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const p of parts) onLine(p);
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
    onEnd();
  });
  // A node killed mid-write can leave the pipe in error: the lines so far are already written.
  stream.on('error', () => undefined);
}
