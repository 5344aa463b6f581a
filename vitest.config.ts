import { defineConfig } from 'vitest/config';

// Files that SIGKILL a harness and inspect what it left, or sweep every dead run on the machine: run alone, after
// the rest, so one file's sweep never removes another's leftovers before it has looked at them.
const SWEEPERS = [
  'test/run/crash.test.ts',
  'test/sweep/sweep.test.ts',
  'test/lab-host/cli.test.ts',
  'test/lab-host/start-sweep.test.ts',
  'test/lab-host/sweep.test.ts',
  'test/lab-netns/sweep.test.ts',
  'test/lab-ssh/sweep.test.ts',
  'test/clock/sweep.test.ts',
  // Each starts its own sandbox of three sshd hosts and clusters on them: two at once on two cores starve
  // each other's nodes, so they run one at a time too.
  'test/lab-ssh/run.test.ts',
  'test/lab-ssh/clock.test.ts',
  'test/lab-ssh/lab.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests start real etcd clusters and namespaces; two cores cannot run many at once
    // without turning timing assertions into noise.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Crash tests inspect a killed run's leftovers before sweeping them: a run starting elsewhere must not
    // sweep them first. test/lab-host/start-sweep.test.ts turns it back on for itself.
    env: { FAULTLINE_START_SWEEP: 'off' },
    projects: [
      { extends: true, test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: SWEEPERS } },
      { extends: true, test: { name: 'sweepers', include: SWEEPERS, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
