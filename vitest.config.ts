import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real etcd clusters and namespaces; two cores cannot run many at once
    // without turning timing assertions into noise.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Crash tests inspect a killed run's leftovers before sweeping them: another test's run starting in
    // between must not sweep them first. test/lab-host/start-sweep.test.ts turns it back on for itself.
    env: { FAULTLINE_START_SWEEP: 'off' },
  },
});
