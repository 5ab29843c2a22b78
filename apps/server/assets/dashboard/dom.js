// Element builders (text only: nothing from the API is ever parsed as HTML) and the states a
// panel goes through: loading, ready, empty, error, and retrying after a 503.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(node, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') node.setAttribute('class', value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An HTML element: `h('p', {class: 'x'}, 'text', child)`. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** `value` with `digits` decimals, or an em dash when the API sent none. */
export function num(value, digits) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** A signed percentage change: `+8.4%`. */
export function change(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return (value > 0 ? '+' : '') + value.toFixed(1) + '%';
}

/** A 0..1 share as a whole percentage. */
export function percent(value) {
  return typeof value === 'number' ? Math.round(value * 100) + '%' : '—';
}

const DATE = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short' });
const DATE_YEAR = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short', year: 'numeric' });

/** `Oct 12` (or `Oct 12, 2026` with `year`). */
export function day(iso, year) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : (year ? DATE_YEAR : DATE).format(date);
}

/** Backoff after the n-th consecutive 503 (or lost connection): 1, 2, 4 … 30 s. */
export function backoff(attempt) {
  return Math.min(30, 2 ** attempt) * 1000;
}

/**
 * One panel's states. `run(load, render)` shows "Loading…", awaits `load()`, and renders its
 * answer unless a newer run started meanwhile (a quick second change of a selector wins).
 * A 503 or a lost connection retries with backoff; a 401 is left to `onUnauthorized`; any
 * other API error is shown in the panel with the server's message.
 */
export class Panel {
  constructor(section) {
    this.section = section;
    this.statusLine = section.querySelector('.status');
    this.body = section.querySelector('.body');
    this.generation = 0;
    this.attempt = 0;
    this.timer = 0;
  }

  state(name, text, tone) {
    this.section.dataset.state = name;
    this.statusLine.textContent = text || '';
    this.statusLine.className = 'status' + (tone ? ' ' + tone : '');
  }

  /** Shows `message` as a non-error note (e.g. "already applied"). */
  note(message) {
    this.statusLine.textContent = message;
    this.statusLine.className = 'status';
  }

  /** Replaces the body's content. */
  show(...nodes) {
    this.body.replaceChildren(...nodes);
  }

  stop() {
    this.generation += 1;
    clearTimeout(this.timer);
  }

  async run(load, render) {
    this.stop();
    const run = this.generation;
    this.section.setAttribute('aria-busy', 'true');
    this.body.classList.add('busy');
    if (this.section.dataset.state !== 'retrying') this.state('loading', 'Loading…');
    try {
      const data = await load();
      if (run !== this.generation) return;
      this.attempt = 0;
      this.state('ready', '');
      render(data);
    } catch (error) {
      if (run !== this.generation) return;
      if (error.status === 401) {
        this.state('error', error.message, 'error');
      } else if (error.status === 503 || error.status === 0) {
        const wait = backoff(this.attempt);
        this.attempt += 1;
        const why = error.status === 503 ? 'Temporarily unavailable' : 'Cannot reach the server';
        this.state('retrying', `${why}, retrying in ${wait / 1000} s…`, 'retry');
        this.timer = setTimeout(() => this.run(load, render), wait);
      } else {
        this.attempt = 0;
        this.state('error', `Error ${error.status}: ${error.message}`, 'error');
        this.show();
      }
    } finally {
      if (run === this.generation) {
        this.section.removeAttribute('aria-busy');
        this.body.classList.remove('busy');
      }
    }
  }
}
