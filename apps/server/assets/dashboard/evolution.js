// Pattern evolution panel: a week × pattern grid. Each cell says new / existing / disappeared
// by symbol, shape and (hidden) text as well as colour; per-week counts sit in the footer; a
// pattern's metadata shows beside the grid when its name is hovered or focused. Rows are
// added a page at a time, so a user with thousands of patterns never freezes the page.

import { get, ROUTES } from './api.js';
import { h, day, percent, Panel } from './dom.js';

const TYPES = {
  OPTIMAL_STUDY_TIME: 'Optimal study time',
  SESSION_DURATION_PREFERENCE: 'Session duration',
  CONTENT_TYPE_PREFERENCE: 'Content type',
  PERFORMANCE_PEAK: 'Performance peak',
  ATTENTION_CYCLE: 'Attention cycle',
  FORGETTING_CURVE: 'Forgetting curve',
};
const ORDER = Object.keys(TYPES);
const STATUS = {
  new: { symbol: '+', text: 'new' },
  existing: { symbol: '●', text: 'existing' },
  disappeared: { symbol: '×', text: 'disappeared' },
};
const PAGE_ROWS = 60;

/** One row per pattern id, in type order then first week seen; counts per week and status. */
export function gridModel(evolution) {
  const rows = new Map();
  const counts = evolution.map(() => ({ new: 0, existing: 0, disappeared: 0 }));
  evolution.forEach((week, w) => {
    for (const p of week.patterns) {
      let row = rows.get(p.id);
      if (!row) {
        row = { pattern: p, first: w, cells: new Array(evolution.length).fill(null) };
        rows.set(p.id, row);
      }
      row.cells[w] = p.status;
      if (p.status in counts[w]) counts[w][p.status] += 1;
    }
  });
  const sorted = [...rows.values()].sort((a, b) =>
    ORDER.indexOf(a.pattern.patternType) - ORDER.indexOf(b.pattern.patternType) || a.first - b.first);
  return { rows: sorted, counts };
}

function metadataList(metadata) {
  if (Array.isArray(metadata)) return metadata.map(String);
  if (metadata && typeof metadata === 'object') {
    return Object.entries(metadata).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  }
  return metadata === null || metadata === undefined ? [] : [String(metadata)];
}

export function mountEvolution(section) {
  const panel = new Panel(section);
  const form = section.querySelector('form');

  function describe(detail, row, evolution) {
    const p = row.pattern;
    const seen = row.cells.map((c, w) => (c ? w : -1)).filter((w) => w >= 0);
    const items = metadataList(p.metadata);
    detail.replaceChildren(
      h('strong', {}, TYPES[p.patternType] || p.patternType),
      ` · confidence ${percent(p.confidence)} · id ${p.id}`,
      h('br'),
      `In weeks ${evolution[seen[0]].weekNumber}–${evolution[seen[seen.length - 1]].weekNumber}`,
      items.length ? h('ul', {}, items.map((m) => h('li', {}, m))) : h('p', { class: 'hint' }, 'No metadata.'),
    );
  }

  function render(data, weeks, type) {
    const evolution = data.evolution;
    const { rows, counts } = gridModel(evolution);
    if (rows.length === 0) {
      const what = type ? `no ${TYPES[type].toLowerCase()} patterns` : 'no patterns';
      panel.state('empty', '');
      panel.show(h('p', { class: 'empty', 'data-empty': 'no-patterns' }, `There are ${what} in these ${weeks} weeks.`));
      return;
    }
    panel.note(`${rows.length} pattern${rows.length === 1 ? '' : 's'} over ${evolution.length} weeks, ${day(data.meta.startDate, true)} – ${day(data.meta.endDate, true)}.`);
    const detail = h('div', { class: 'detail', id: 'evo-detail' }, h('span', { class: 'hint' }, 'Hover over or focus a pattern to see its metadata.'));
    const head = h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Pattern'),
      evolution.map((w) => h('th', { scope: 'col', 'data-week': w.weekNumber },
        `W${w.weekNumber}`, h('small', {}, day(w.weekStart))))));
    const body = h('tbody');
    const foot = h('tfoot', {}, ['new', 'existing', 'disappeared'].map((status) => h('tr', { 'data-count': status },
      h('th', { scope: 'row' }, h('span', { class: `cell ${status}`, 'aria-hidden': 'true' }, STATUS[status].symbol), ` ${STATUS[status].text}`),
      counts.map((c) => h('td', {}, String(c[status]))))));
    const more = h('button', { type: 'button', class: 'quiet more' });
    let shown = 0;

    function addRows() {
      const slice = rows.slice(shown, shown + PAGE_ROWS);
      const fragment = document.createDocumentFragment();
      for (const row of slice) {
        const p = row.pattern;
        const name = h('button', {
          type: 'button', class: 'pattern', 'aria-describedby': 'evo-detail', 'data-pattern': p.id,
        }, TYPES[p.patternType] || p.patternType, h('small', {}, `${percent(p.confidence)} confidence`));
        const show = () => describe(detail, row, evolution);
        name.addEventListener('mouseenter', show);
        name.addEventListener('focus', show);
        fragment.append(h('tr', {},
          h('th', { scope: 'row' }, name),
          row.cells.map((status) => h('td', {}, status && STATUS[status]
            ? h('span', { class: `cell ${status}`, title: STATUS[status].text },
              h('span', { 'aria-hidden': 'true' }, STATUS[status].symbol), h('span', { class: 'sr' }, STATUS[status].text))
            : ''))));
      }
      body.append(fragment);
      shown += slice.length;
      more.hidden = shown >= rows.length;
      more.textContent = `Show ${Math.min(PAGE_ROWS, rows.length - shown)} more of ${rows.length - shown} remaining patterns`;
    }
    more.addEventListener('click', addRows);
    addRows();
    panel.show(
      h('div', { class: 'grid-wrap', tabindex: 0, role: 'region', 'aria-label': 'Patterns by week' },
        h('table', { class: 'grid', id: 'evo-grid' }, h('caption', { class: 'sr' }, 'Patterns by week; footer rows count them per week'), head, body, foot)),
      more, detail);
  }

  function load() {
    const weeks = Number(form.weeks.value);
    const type = form.patternType.value;
    return panel.run(
      () => get(ROUTES.evolution, { weeks, patternType: type }),
      (data) => render(data, weeks, type),
    );
  }

  form.addEventListener('change', load);
  form.addEventListener('submit', (e) => e.preventDefault());
  return { load, stop: () => panel.stop() };
}
