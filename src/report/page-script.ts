// The report page's own script (browser JS, as text): renders the charts and draws the evidence with textContent.

/**
 * Runs in the page after vega, vega-lite and vega-embed. Reads the single JSON block, hands each Vega-Lite spec
 * its named datasets, renders as SVG (so marks are countable), and draws each failing key's operations per
 * process. Every string from a history or a log reaches the DOM through textContent, never as markup.
 * `window.__faultline` tells tests (and curious readers) how many charts rendered and what failed.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var state = { rendered: 0, failed: 0, errors: [], done: false, charts: [] };
  window.__faultline = state;
  var data = JSON.parse(document.getElementById('faultline-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function drawCharts() {
    var ids = Object.keys(data.specs);
    state.charts = ids;
    return Promise.all(ids.map(function (id) {
      var host = document.getElementById('chart-' + id);
      var spec = data.specs[id];
      spec.datasets = data.datasets;
      return vegaEmbed(host, spec, { renderer: 'svg', actions: false, mode: 'vega-lite' }).then(
        function () { state.rendered++; },
        function (e) {
          state.failed++;
          state.errors.push(id + ': ' + (e && e.message));
          host.appendChild(el('p', 'error', 'chart ' + id + ' could not be drawn: ' + (e && e.message)));
        });
    }));
  }

  // Porcupine's view: one row per process, each op a bar from invocation to completion; the longest
  // linearizable prefix green, the ops that could not be placed red, the rest grey.
  function drawKey(root, k) {
    var box = el('div', 'evidence-key');
    box.appendChild(el('h3', null, 'key ' + (k.key === null ? '(whole history)' : k.key)));
    box.appendChild(el('p', null, k.opsInKey + ' ops in this key; longest linearizable prefix: ' + k.prefixLength +
      ' ops; showing ' + k.ops.length + ' ops around the point where no order works.'));
    var inPrefix = {};
    k.prefix.forEach(function (s) { inPrefix[s.op] = true; });
    var cand = {};
    if (k.stuck) k.stuck.candidates.forEach(function (c) { cand[c.op] = c; });
    var procs = [];
    k.ops.forEach(function (o) { if (procs.indexOf(o.process) < 0) procs.push(o.process); });
    procs.sort(function (a, b) { return a - b; });
    var t0 = Infinity, t1 = -Infinity;
    k.ops.forEach(function (o) { t0 = Math.min(t0, o.startS); t1 = Math.max(t1, o.endS === null ? o.startS : o.endS); });
    if (!(t1 > t0)) t1 = t0 + 1e-3;
    var pad = (t1 - t0) * 0.08; t1 += pad;
    var W = 860, L = 70, rowH = 26, H = procs.length * rowH + 30;
    var x = function (t) { return L + (t - t0) / (t1 - t0) * (W - L - 10); };
    var g = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'evidence-svg' });
    procs.forEach(function (p, i) {
      g.appendChild(svg('text', { x: 4, y: 20 + i * rowH + 13, 'class': 'proc' }, 'process ' + p));
      g.appendChild(svg('line', { x1: L, x2: W - 10, y1: 20 + i * rowH + 18, y2: 20 + i * rowH + 18, stroke: '#eee' }));
    });
    k.ops.forEach(function (o) {
      var row = procs.indexOf(o.process);
      var xa = x(o.startS), xb = o.endS === null ? W - 10 : Math.max(x(o.endS), xa + 2);
      var cls = cand[o.id] ? (cand[o.id].legal ? 'op cand' : 'op bad') : inPrefix[o.id] ? 'op lin' : 'op other';
      if (o.endS === null) cls += ' open';
      var grp = svg('g', { 'class': cls, 'data-op': o.id });
      grp.appendChild(svg('title', {}, '#' + o.id + ' ' + o.description + ' [' + o.outcome + '] ' + o.startS.toFixed(6) + 's → ' + (o.endS === null ? 'never completed' : o.endS.toFixed(6) + 's')));
      grp.appendChild(svg('rect', { x: xa, y: 20 + row * rowH + 4, width: xb - xa, height: rowH - 8, rx: 3 }));
      var label = o.description.length > 40 ? o.description.slice(0, 39) + '…' : o.description;
      grp.appendChild(svg('text', { x: xa + 3, y: 20 + row * rowH + 17, 'class': 'oplabel' }, label));
      g.appendChild(grp);
    });
    g.appendChild(svg('text', { x: L, y: 12, 'class': 'axis' }, t0.toFixed(3) + ' s'));
    g.appendChild(svg('text', { x: W - 80, y: 12, 'class': 'axis' }, t1.toFixed(3) + ' s'));
    box.appendChild(g);
    if (k.stuck) {
      var st = el('div', 'stuck');
      st.appendChild(el('p', null, 'State after the longest linearizable prefix: '));
      st.appendChild(el('code', 'state', k.stuck.state));
      st.appendChild(el('p', null, 'Operations that could not be placed next in that state:'));
      var ul = el('ul');
      k.stuck.candidates.forEach(function (c) {
        ul.appendChild(el('li', c.legal ? 'cand' : 'bad', '#' + c.op + ' ' + c.description + (c.legal ? ' (legal here, but every order after it fails)' : ' (the model rejects it in this state)')));
      });
      st.appendChild(ul);
      box.appendChild(st);
    }
    if (k.prefix.length) {
      var det = el('details');
      det.appendChild(el('summary', null, 'last ' + k.prefix.length + ' steps of the linearizable prefix'));
      var ol = el('ol', 'prefix');
      k.prefix.forEach(function (s) { ol.appendChild(el('li', null, '#' + s.op + ' ' + s.description + '  →  ' + s.state)); });
      det.appendChild(ol);
      box.appendChild(det);
    }
    root.appendChild(box);
  }

  var evRoot = document.getElementById('evidence-root');
  if (evRoot && data.evidence && data.evidence.keys) data.evidence.keys.forEach(function (k) { drawKey(evRoot, k); });
  drawCharts().then(function () { state.done = true; document.body.setAttribute('data-rendered', String(state.rendered)); });
})();
`;
