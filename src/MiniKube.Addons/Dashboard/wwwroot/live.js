// A live view of one collection: listed, then kept current by a watch; redrawn (at most every
// 100 ms) whenever it changes. Stops when the page's signal aborts.

import { collection, listWatch } from './api.js';
import { h, replace, problem } from './ui.js';

const key = object => `${object.metadata.namespace || ''}/${object.metadata.name}`;
const byName = (a, b) => key(a).localeCompare(key(b));

/**
 * Returns { element, items(), redraw() }. render(items) builds the content; it runs again on
 * every change and on redraw().
 */
export function live(view, kind, { namespace = view.namespace, params, table = false, render, sort = byName, onChange }) {
  const element = h('div', { class: 'live', 'aria-busy': 'true' }, h('p', { class: 'empty' }, 'Loading…'));
  const objects = new Map();
  let loaded = false;
  let timer = 0;
  const items = () => [...objects.values()].sort(sort);
  const draw = () => {
    timer = 0;
    if (!loaded || view.signal.aborted) return;
    element.removeAttribute('aria-busy');
    replace(element, render(items()));
    if (onChange) onChange(items());
  };
  const redraw = () => { if (!timer) timer = setTimeout(draw, 100); };
  listWatch(collection(kind, namespace), {
    params, table, signal: view.signal,
    onReset: list => {
      objects.clear();
      for (const object of list) objects.set(key(object), object);
      loaded = true;
      draw();
    },
    onEvent: (type, object) => {
      if (type === 'DELETED') objects.delete(key(object)); else objects.set(key(object), object);
      redraw();
    },
    onError: error => { element.removeAttribute('aria-busy'); replace(element, problem(error)); },
  });
  return { element, items, redraw };
}
