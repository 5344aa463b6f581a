// Prints the one closing line CI reads: "N passed, N failed".
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state;
    if (state === 'passed') this.passed++;
    else if (state === 'failed') this.failed++;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    // A module that failed to load (syntax error, failing beforeAll) has no passing tests to count,
    // so it is counted as a failure rather than silently vanishing from the total.
    let broken = errors.length;
    for (const m of modules) if (m.state() === 'failed' && [...m.children.allTests()].every((t) => t.result().state !== 'failed')) broken++;
    process.stdout.write(`\n${this.passed} passed, ${this.failed + broken} failed\n`);
  }
}
