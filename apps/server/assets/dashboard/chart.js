// An SVG line chart of dated points: one line per series (colour *and* dash pattern differ),
// gaps where a value is null, a dot per value with a tooltip, and the numbers again in a
// table for screen readers and anyone who wants them exact.

import { h, s, num, day } from './dom.js';

const H = 240;
const PAD = { left: 46, right: 12, top: 12, bottom: 28 };

/** Round tick values covering [lo, hi]. */
function ticks(lo, hi, count) {
  const span = hi - lo || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= raw);
  const out = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step / 2; v += step) {
    out.push(Math.round(v / step) * step);
  }
  return out;
}

/**
 * `points`: `[{date, <key>: number|null, …}]` ascending by date; `series`: `[{key, label}]`;
 * `width`: the space available, in CSS pixels.
 * Returns a figure with the chart, its legend and a data table.
 */
export function lineChart(points, series, caption, unit, width) {
  // Drawn at the width it is shown at, so its text keeps its size on a phone.
  const W = Math.round(Math.min(760, Math.max(300, width || 640)));
  const values = points.flatMap((p) => series.map((k) => p[k.key])).filter((v) => typeof v === 'number');
  const times = points.map((p) => new Date(p.date).getTime());
  const yTicks = ticks(Math.min(0, ...values), Math.max(0, ...values), 4);
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const x = (t) => PAD.left + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);

  const svg = s('svg', {
    class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `${caption}: ${points.length} measurements from ${day(points[0].date, true)} to ${day(points[points.length - 1].date, true)}`,
  });
  for (const v of yTicks) {
    svg.append(
      s('line', { class: v === 0 ? 'grid zero' : 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${v}${unit}`),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(W / 110))));
  const last = points.length - 1;
  points.forEach((p, i) => {
    if ((i % labelEvery === 0 && last - i >= labelEvery / 2) || i === last) {
      const anchor = points.length > 1 && i === 0 ? 'start' : i === points.length - 1 && i > 0 ? 'end' : 'middle';
      svg.append(s('text', { x: x(times[i]), y: H - 8, 'text-anchor': anchor }, day(p.date)));
    }
  });
  series.forEach((k, n) => {
    let d = '';
    let pen = 'M';
    points.forEach((p, i) => {
      const v = p[k.key];
      if (typeof v !== 'number') {
        pen = 'M';
        return;
      }
      d += `${pen}${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`;
      pen = 'L';
    });
    const cls = `s${n + 1}`;
    svg.append(s('path', { class: `series ${cls}`, d, 'data-series': k.key }));
    points.forEach((p, i) => {
      const v = p[k.key];
      if (typeof v !== 'number') return;
      svg.append(
        s('circle', { class: cls, cx: x(times[i]), cy: y(v), r: 3 },
          s('title', {}, `${k.label}, ${day(p.date, true)}: ${num(v, 2)}${unit}`)),
      );
    });
  });

  const legend = h('ul', { class: 'keys', 'aria-hidden': 'true' },
    series.map((k, n) => h('li', {},
      s('svg', { width: 28, height: 10, class: 'key' },
        s('line', { class: `series s${n + 1}`, x1: 0, x2: 28, y1: 5, y2: 5 })),
      k.label)));

  const table = h('details', {},
    h('summary', {}, 'Data table'),
    h('table', { class: 'grid' },
      h('caption', { class: 'hint' }, caption),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Start'), series.map((k) => h('th', { scope: 'col' }, k.label)))),
      h('tbody', {}, points.map((p) => h('tr', {},
        h('th', { scope: 'row' }, day(p.date, true)),
        series.map((k) => h('td', {}, num(p[k.key], 2))))))));

  return h('figure', { class: 'figure' }, svg, legend, table);
}
