// Effectiveness panel: the metric averages with units, the statistics, and the timeline chart
// for a 7/14/30/90-day window (`startDate`/`endDate`) and one metric or all.

import { get, ROUTES } from './api.js';
import { h, num, change, percent, day, Panel } from './dom.js';
import { lineChart } from './chart.js';

const METRICS = [
  { key: 'retentionImprovement', label: 'Retention improvement', param: 'retention' },
  { key: 'performanceImprovement', label: 'Performance improvement', param: 'performance' },
  { key: 'completionRateChange', label: 'Completion rate change', param: 'completion' },
  { key: 'engagementChange', label: 'Engagement change', param: 'all' },
];

const DAY_MS = 86_400_000;

export function mountEffectiveness(section) {
  const panel = new Panel(section);
  const form = section.querySelector('form');

  // The chart is drawn for the width it gets; when that changes a lot (a phone turned, a
  // window resized) it is drawn again, so its text keeps a readable size.
  let drawn = null;
  new ResizeObserver(() => {
    if (drawn && Math.abs(panel.body.clientWidth - drawn.width) > 40) render(drawn.data, drawn.metric);
  }).observe(panel.body);

  function render(data, metric) {
    drawn = { data, metric, width: panel.body.clientWidth };
    const eff = data.effectiveness;
    const period = `${day(data.period.startDate, true)} – ${day(data.period.endDate, true)} (${data.period.days} days)`;
    if (!eff.hasPersonalization) {
      panel.state('empty', '');
      panel.show(h('p', { class: 'empty', 'data-empty': 'no-personalization' }, eff.message), h('p', { class: 'hint' }, period));
      return;
    }
    const shown = METRICS.filter((m) => m.key in eff.metrics);
    const metrics = h('dl', { class: 'metrics' }, shown.map((m) => h('div', { class: 'metric' },
      h('dt', {}, m.label),
      h('dd', { 'data-metric': m.key, 'data-value': eff.metrics[m.key] }, change(eff.metrics[m.key])))));
    const st = eff.statistical;
    const stats = h('ul', { class: 'stats' },
      h('li', {}, 'Sample size ', h('b', { 'data-stat': 'sampleSize', 'data-value': st.sampleSize }, String(st.sampleSize)), ' sessions'),
      h('li', {}, 'Correlation r = ', h('b', { 'data-stat': 'correlation', 'data-value': st.correlation }, num(st.correlation, 2))),
      h('li', {}, 'p-value ', h('b', { 'data-stat': 'pValue', 'data-value': st.pValue }, num(st.pValue, 3))),
      h('li', {}, st.isStatisticallySignificant
        ? h('span', { class: 'badge yes', 'data-stat': 'significant' }, 'Statistically significant')
        : h('span', { class: 'badge no', 'data-stat': 'significant' }, 'Not statistically significant')));
    const series = metric === 'all' ? METRICS : METRICS.filter((m) => m.param === metric);
    const chart = eff.timeline.length
      ? lineChart(eff.timeline, series, 'Effectiveness by measurement period, percentage change', '%', panel.body.clientWidth)
      : h('p', { class: 'empty' }, `No measurements in these ${data.period.days} days.`);
    const configs = h('p', { class: 'configs' }, 'Active personalization: ',
      eff.activeConfigs.map((c) => `${c.context.toLowerCase()} · ${c.strategy} (confidence ${percent(c.confidence)})`).join('; '),
      '. ', period, '.');
    panel.show(metrics, stats, chart, configs);
  }

  function load() {
    drawn = null;
    const days = Number(form.days.value);
    const metric = form.metric.value;
    const end = new Date();
    const params = {
      startDate: new Date(end.getTime() - days * DAY_MS).toISOString(),
      endDate: end.toISOString(),
      metric,
    };
    return panel.run(() => get(ROUTES.effectiveness, params), (data) => render(data, metric));
  }

  form.addEventListener('change', load);
  form.addEventListener('submit', (e) => e.preventDefault());
  return { load, stop: () => panel.stop() };
}
