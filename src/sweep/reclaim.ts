// On resume: runs a killed sweep left half-done are cleaned up (their own lab only) and moved aside.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sweep } from '../lab/ledger.js';
import { ABANDONED_DIR, RUNS_DIR, type SweepFile } from './state.js';
import { makeDirs } from '../util/dirs.js';

/**
 * Removes what a dead run registered — only when its owner is gone, so a run of another live faultline process
 * is never touched. Leftover etcd nodes of a killed sweep would otherwise keep using the CPU the resumed sweep
 * is measuring with.
 */
async function cleanupDeadRun(runId: string): Promise<string[]> {
  return (await sweep(false, runId)).flatMap((r) => r.errors);
}

/** Run directories under <sweep>/runs/ that sweep.json does not list: returns what was moved to abandoned/. */
export async function reclaimAbandoned(sweepDir: string, s: SweepFile): Promise<{ moved: string[]; errors: string[] }> {
  const root = join(sweepDir, RUNS_DIR);
  const known = new Set(s.cells.flatMap((c) => [...c.runs.map((r) => r.dir), ...(c.status === 'refused' && c.evidenceDir ? [c.evidenceDir] : [])]));
  const moved: string[] = [];
  const errors: string[] = [];
  if (!existsSync(root)) return { moved, errors };
  for (const test of readdirSync(root)) {
    const tdir = join(root, test);
    if (!statSync(tdir).isDirectory()) continue;
    const before = moved.length;
    for (const run of readdirSync(tdir)) {
      const rdir = join(tdir, run);
      if (run === 'latest' || !statSync(rdir).isDirectory()) continue;
      const rel = relative(sweepDir, rdir);
      if (known.has(rel)) continue;
      // The run id is the directory name's suffix (<stamp>-<runid>): test.json may not exist yet when the
      // harness was killed while the cluster was still starting, and those nodes must go too.
      const runId = run.slice(run.lastIndexOf('-') + 1);
      if (runId) errors.push(...(await cleanupDeadRun(runId)));
      const dest = join(sweepDir, ABANDONED_DIR, test);
      makeDirs(dest);
      renameSync(rdir, join(dest, run));
      moved.push(rel);
    }
    // `latest` would point into abandoned/.
    if (moved.length > before) rmSync(join(tdir, 'latest'), { force: true });
  }
  return { moved, errors };
}
