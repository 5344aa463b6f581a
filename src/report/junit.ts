// junit.xml for CI systems: the verdict as one test case, alerts and unavailability as further cases.
import type { ResultsFile } from './results.js';

const x = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters even when escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function buildJunit(r: ResultsFile): string {
  const suite = `faultline.${r.run.name}`;
  const cases: string[] = [];
  const time = r.run.durationS.toFixed(3);
  // The case is named for what was checked: "linearizable", or e.g. "strict-serializable" for a txn run.
  const name = x(r.checker.property ?? 'linearizable');
  const failing = r.checker.failingKeys.length > 0 ? `failing keys: ${r.checker.failingKeys.join(', ')}` : r.checker.message;
  if (r.valid === true) cases.push(`<testcase classname="${x(suite)}" name="${name}" time="${time}"/>`);
  else if (r.valid === false) {
    cases.push(`<testcase classname="${x(suite)}" name="${name}" time="${time}"><failure message="${x(r.checker.message)}" type="not-${name.replace(/ /g, '-')}">${x(failing)}</failure></testcase>`);
  } else cases.push(`<testcase classname="${x(suite)}" name="${name}" time="${time}"><skipped message="${x(r.checker.message)}"/></testcase>`);
  for (const a of r.alerts) {
    cases.push(`<testcase classname="${x(suite)}.raft-health" name="${x(a.id + (a.node ? `-${a.node}` : ''))}"><failure message="${x(a.message)}" type="alert"/></testcase>`);
  }
  const failures = cases.filter((c) => c.includes('<failure')).length;
  const skipped = cases.filter((c) => c.includes('<skipped')).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
<testsuite name="${x(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${x(r.run.startedAt)}">
<properties><property name="runId" value="${x(r.run.runId)}"/><property name="seed" value="${x(r.run.seed ?? '')}"/><property name="okPerS" value="${r.throughput.okPerS}"/><property name="p99Ms" value="${r.latency.ok?.p99 ?? ''}"/><property name="longestUnavailableS" value="${r.availability.longestS}"/></properties>
${cases.join('\n')}
</testsuite>
</testsuites>
`;
}
