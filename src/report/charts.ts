// Vega-Lite specs of the report's charts; data is referenced by name and filled in by the page from one JSON block.

export type Spec = Record<string, unknown>;

/** Datasets the page provides to every spec (see page-script.ts). */
export type DatasetName = 'throughput' | 'latency' | 'scatter' | 'faults' | 'stalls' | 'timeline' | 'lag' | 'bench' | 'benchSeconds' | 'clocks';

const WIDTH = 860;

const timeX = { field: 't', type: 'quantitative', title: 'time since start (s)' };

/** Fault windows shaded and labelled, stalls hatched grey: drawn behind every time chart (Jepsen style). */
function backdrop(hasFaults: boolean, hasStalls: boolean): Spec[] {
  const layers: Spec[] = [];
  if (hasFaults) {
    layers.push(
      {
        data: { name: 'faults' },
        mark: { type: 'rect', opacity: 0.14, color: '#d62728' },
        encoding: { x: { field: 'startS', type: 'quantitative' }, x2: { field: 'endS' } },
      },
      {
        data: { name: 'faults' },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, color: '#a01010', fontSize: 10 },
        encoding: { x: { field: 'startS', type: 'quantitative' }, y: { value: 0 }, text: { field: 'fault' } },
      },
    );
  }
  if (hasStalls) {
    layers.push({
      data: { name: 'stalls' },
      mark: { type: 'rect', opacity: 0.3, color: '#555' },
      encoding: { x: { field: 'startS', type: 'quantitative' }, x2: { field: 'endS' }, tooltip: [{ field: 'ms', title: 'harness stall (ms)' }] },
    });
  }
  return layers;
}

function timeChart(title: string, main: Spec[], faults: boolean, stalls: boolean, height = 200): Spec {
  return { title, width: WIDTH, height, layer: [...backdrop(faults, stalls), ...main], resolve: { scale: { y: 'independent' } } };
}

export interface ChartFlags {
  faults: boolean;
  stalls: boolean;
  lag: boolean;
  timeline: boolean;
  bench: boolean;
  ops: boolean;
  /** The run had clock faults: draw each node's clock offset (Jepsen's clock plot). */
  clocks?: boolean;
}

export function chartSpecs(flags: ChartFlags): Record<string, Spec> {
  const { faults, stalls } = flags;
  const specs: Record<string, Spec> = {};
  if (flags.ops) {
    specs.throughput = timeChart(
      'Throughput (ops/s by outcome, by completion time)',
      [
        {
          data: { name: 'throughput' },
          transform: [{ fold: ['ok', 'fail', 'info'], as: ['outcome', 'rate'] }],
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
          encoding: {
            x: timeX,
            y: { field: 'rate', type: 'quantitative', title: 'ops/s' },
            color: { field: 'outcome', type: 'nominal', scale: { domain: ['ok', 'fail', 'info'], range: ['#2a9d3c', '#d62728', '#e69500'] } },
            tooltip: [{ field: 't' }, { field: 'outcome' }, { field: 'rate' }],
          },
        },
      ],
      faults,
      stalls,
    );
    specs.quantiles = timeChart(
      'Latency quantiles of ok ops over time (ms, by invocation time)',
      [
        {
          data: { name: 'latency' },
          transform: [{ fold: ['p50', 'p99', 'max'], as: ['quantile', 'ms'] }],
          mark: { type: 'line', strokeWidth: 1.5, point: false },
          encoding: {
            x: timeX,
            y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
            color: { field: 'quantile', type: 'nominal', scale: { domain: ['p50', 'p99', 'max'], range: ['#1f77b4', '#9467bd', '#555'] } },
            tooltip: [{ field: 't' }, { field: 'quantile' }, { field: 'ms' }],
          },
        },
      ],
      faults,
      stalls,
    );
    specs.scatter = timeChart(
      'Latency of every op (downsampled; failures always kept)',
      [
        {
          data: { name: 'scatter' },
          mark: { type: 'point', filled: true, size: 9, opacity: 0.6 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'time since start (s)' },
            y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
            color: { field: 'outcome', type: 'nominal', scale: { domain: ['ok', 'fail', 'info'], range: ['#2a9d3c', '#d62728', '#e69500'] } },
            shape: { field: 'f', type: 'nominal' },
            tooltip: [{ field: 't' }, { field: 'ms' }, { field: 'f' }, { field: 'outcome' }],
          },
        },
      ],
      faults,
      stalls,
      260,
    );
  }
  if (flags.timeline) {
    specs.elections = timeChart(
      'Election timeline (from node logs)',
      [
        {
          data: { name: 'timeline' },
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: timeX,
            y: { field: 'node', type: 'nominal', title: 'node' },
            color: {
              field: 'event',
              type: 'nominal',
              scale: { domain: ['pre-candidate', 'candidate', 'leader', 'follower', 'lost-leader', 'vote-refused'], range: ['#f2b701', '#e68a00', '#2a9d3c', '#7f7f7f', '#d62728', '#9467bd'] },
            },
            shape: { field: 'event', type: 'nominal' },
            tooltip: [{ field: 't' }, { field: 'node' }, { field: 'event' }, { field: 'term' }],
          },
        },
      ],
      faults,
      stalls,
      140,
    );
  }
  if (flags.lag) {
    specs.lag = timeChart(
      'Follower lag (entries applied behind the highest commit index)',
      [
        {
          data: { name: 'lag' },
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: { x: timeX, y: { field: 'lag', type: 'quantitative', title: 'entries' }, color: { field: 'node', type: 'nominal' } },
        },
      ],
      faults,
      stalls,
      160,
    );
  }
  if (flags.clocks) {
    specs.clocks = timeChart(
      'Clock offset from real time per node (ms, as the clock nemesis set it)',
      [
        {
          data: { name: 'clocks' },
          mark: { type: 'line', strokeWidth: 1.5, point: { size: 12 } },
          encoding: {
            x: timeX,
            y: { field: 'offsetMs', type: 'quantitative', title: 'offset (ms)' },
            color: { field: 'node', type: 'nominal' },
            // Two points at one time are a jump: keep them in the order they were set.
            order: { field: 'seq', type: 'quantitative' },
            tooltip: [{ field: 't' }, { field: 'node' }, { field: 'offsetMs' }, { field: 'rate' }],
          },
        },
      ],
      faults,
      stalls,
      180,
    );
  }
  if (flags.bench) {
    specs.benchPercentiles = {
      title: 'Commit latency by concurrency (ms)',
      width: WIDTH,
      height: 240,
      data: { name: 'bench' },
      transform: [{ fold: ['p50', 'p90', 'p99', 'p999'], as: ['percentile', 'ms'] }],
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'connections', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'connections' },
        y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
        color: { field: 'percentile', type: 'nominal' },
        strokeDash: { field: 'role', type: 'nominal' },
        detail: { field: 'endpoint' },
        tooltip: [{ field: 'endpoint' }, { field: 'role' }, { field: 'connections' }, { field: 'percentile' }, { field: 'ms' }],
      },
    };
    specs.benchSeconds = {
      title: 'Requests completed per second',
      width: WIDTH,
      height: 200,
      data: { name: 'benchSeconds' },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'second', type: 'quantitative', title: 'second of level' },
        y: { field: 'requests', type: 'quantitative', title: 'req/s' },
        color: { field: 'level', type: 'nominal' },
      },
    };
  }
  return specs;
}
