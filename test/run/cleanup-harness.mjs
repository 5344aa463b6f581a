// Ctrl-C cleanups for the cleanup-limit test. Mode "hung": two cleanups, the newer never finishes. Mode
// "interrupt": a command stopping itself in order takes longer than the cleanup limit. Prints "ready", then waits.
import { onExitCleanup, onInterrupt } from '../../dist/src/lab/cleanup.js';

if (process.argv[2] === 'interrupt') {
  const interrupt = onInterrupt(process.stdout, 'interrupted');
  interrupt.signal.addEventListener('abort', () =>
    setTimeout(() => {
      process.stdout.write('command finished\n');
      interrupt.done();
    }, 800),
  );
} else {
  onExitCleanup(() => process.stdout.write('older cleanup ran\n'));
  onExitCleanup(() => new Promise(() => undefined));
}
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
