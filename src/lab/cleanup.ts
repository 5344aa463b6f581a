// Runs registered async cleanups once on SIGINT/SIGTERM, then exits 130/143, so Ctrl-C never leaks a lab.
type Cleanup = () => Promise<unknown> | unknown;

interface Registered {
  fn: Cleanup;
  /** Waits for a command's own orderly stop (bounded by its own timeouts), so no limit is imposed on it. */
  unbounded: boolean;
}

const cleanups: Registered[] = [];
let installed = false;
let running = false;

/**
 * A cleanup that has not finished by then is abandoned with a message: the run's registry record keeps what it
 * had not removed yet, for the next start or `faultline lab sweep`. Ctrl-C must end the process in bounded time.
 */
const CLEANUP_LIMIT_MS = Number(process.env['FAULTLINE_CLEANUP_LIMIT_MS'] ?? 60_000);

async function runAll(): Promise<void> {
  // Newest first: a cluster registered after its lab must be torn down before the lab.
  while (cleanups.length > 0) {
    const { fn, unbounded } = cleanups.pop()!;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'late'>((resolve) => {
      if (!unbounded) timer = setTimeout(() => resolve('late'), CLEANUP_LIMIT_MS);
    });
    try {
      const r = await Promise.race([Promise.resolve().then(fn), limit]);
      if (r === 'late') process.stderr.write(`faultline: cleanup did not finish within ${CLEANUP_LIMIT_MS / 1000} s; run \`faultline lab sweep\` to remove what is left\n`);
    } catch (e) {
      process.stderr.write(`faultline: cleanup failed: ${(e as Error).message.split('\n')[0]}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  const code = signal === 'SIGINT' ? 130 : 143;
  if (running) {
    // A second Ctrl-C while cleaning up: say what is happening rather than abandon the resources.
    process.stderr.write('faultline: still cleaning up (run `faultline lab sweep` if you kill this process)\n');
    return;
  }
  running = true;
  void runAll().finally(() => process.exit(code));
}

/**
 * Registers `fn` to run when the process receives SIGINT or SIGTERM. Returns a function that unregisters
 * it (call it once the resource is gone through the normal path).
 */
export function onExitCleanup(fn: Cleanup): () => void {
  return register({ fn, unbounded: false });
}

export interface Interrupt {
  /** Aborted on SIGINT/SIGTERM: the command stops its load, heals, tears down and keeps what it recorded. */
  signal: AbortSignal;
  /** Call once the command has finished (normally or after the abort): the process may then exit. */
  done(): void;
}

/**
 * For commands that stop themselves in order (run, sweep, scenarios): on a signal, says `message`, aborts the
 * command and waits for it — analysis included, which may take longer than a teardown is allowed to.
 */
export function onInterrupt(out: NodeJS.WritableStream, message: string): Interrupt {
  const abort = new AbortController();
  let finished: () => void = () => undefined;
  const whenFinished = new Promise<void>((r) => (finished = r));
  const unregister = register({
    fn: async () => {
      out.write(`\n${message}\n`);
      abort.abort();
      await whenFinished;
    },
    unbounded: true,
  });
  return {
    signal: abort.signal,
    done: () => {
      unregister();
      finished();
    },
  };
}

function register(entry: Registered): () => void {
  if (!installed) {
    installed = true;
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  }
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}
