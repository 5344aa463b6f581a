// Prints which folder of src/ imports which, and every import that runs back up the declared order or closes a circle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folders of src/, lowest first: a file may import from its own folder or from any folder before it,
 * never from one after it. Data flows down this list the way ARCHITECTURE.md draws it; the commands
 * (cli) and the package entry (index) sit on top because they wire everything together.
 */
export const FOLDER_ORDER: readonly string[] = [
  'util',
  'results',
  'history',
  'generator',
  'model',
  'checker',
  'lab',
  'client',
  'system',
  'nemesis',
  'workload',
  'spec',
  'report',
  'compare',
  'run',
  'throughput',
  'sweep',
  'scenario',
  'publish',
  'cli',
  'index',
];

export interface ImportEdge {
  from: string;
  to: string;
  /** Folder of each side: the first path segment below src/ ('index' for src/index.ts). */
  fromFolder: string;
  toFolder: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const folderOf = (src: string, file: string): string => {
  const rel = relative(src, file).split(sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
};

// Static imports and re-exports, `import type`, and inline `import('...')` types: all of them tie two files.
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every relative import between files of src/, resolved to file paths relative to the repository. */
export function importEdges(root: string): ImportEdge[] {
  const src = join(root, 'src');
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPEC)) {
      const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
      if (!target.startsWith(src + sep)) continue;
      edges.push({ from: relative(root, file), to: relative(root, target), fromFolder: folderOf(src, file), toFolder: folderOf(src, target) });
    }
  }
  return edges;
}

/** Folder → folders it imports (not itself), sorted. */
export function folderGraph(edges: readonly ImportEdge[]): Map<string, string[]> {
  const g = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!g.has(e.fromFolder)) g.set(e.fromFolder, new Set());
    if (e.fromFolder !== e.toFolder) g.get(e.fromFolder)!.add(e.toFolder);
  }
  return new Map([...g].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
}

/** Imports from a folder to one later in FOLDER_ORDER (or to a folder the order does not know). */
export function upwardEdges(edges: readonly ImportEdge[], order: readonly string[] = FOLDER_ORDER): ImportEdge[] {
  const at = (f: string): number => (order.includes(f) ? order.indexOf(f) : Infinity);
  return edges.filter((e) => e.fromFolder !== e.toFolder && (at(e.toFolder) > at(e.fromFolder) || at(e.fromFolder) === Infinity));
}

/** File-level import circles (each once, as the list of files around it), found by depth-first search. */
export function fileCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of next.get(f) ?? []) {
      if (state.get(t) === 'open') {
        const cycle = stack.slice(stack.indexOf(t));
        const key = [...cycle].sort().join(' ');
        if (!seen.has(key)) cycles.push(cycle), seen.add(key);
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...next.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run from dist/bench/ or through tsx from bench/: the repository is the nearest parent holding src/.
  let root = dirname(fileURLToPath(import.meta.url));
  while (!readdirSync(root).includes('src') || root.endsWith(`${sep}dist`)) root = dirname(root);
  const edges = importEdges(root);
  console.log('folder → folders it imports');
  for (const [f, to] of folderGraph(edges)) console.log(`  ${f.padEnd(10)} → ${to.join(', ') || '(none)'}`);
  const up = upwardEdges(edges);
  console.log(`\nimports running back up the order (${FOLDER_ORDER.join(' < ')}): ${up.length}`);
  for (const e of up) console.log(`  ${e.from} → ${e.to}`);
  const cycles = fileCycles(edges);
  console.log(`\nimport circles: ${cycles.length}`);
  for (const c of cycles) console.log(`  ${[...c, c[0]].join(' → ')}`);
  process.exitCode = up.length || cycles.length ? 1 : 0;
}
