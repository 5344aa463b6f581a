// Registers two Ctrl-C cleanups, the newer of which never finishes; prints "ready" and waits for a signal.
import { onExitCleanup } from '../../dist/src/lab/cleanup.js';

onExitCleanup(() => process.stdout.write('older cleanup ran\n'));
onExitCleanup(() => new Promise(() => undefined));
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
