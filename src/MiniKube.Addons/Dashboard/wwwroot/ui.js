// DOM helpers. Every value from the cluster enters the page as text (textContent), never as
// markup, so an object's name or a log line cannot inject script.

/** h('div', {class: 'x', onclick: fn}, 'text', child, [more]) */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key in element && key !== 'list' && key !== 'form') element[key] = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** How long ago, kubectl style: 5s, 3m, 2h, 4d. */
export function age(timestamp) {
  if (!timestamp) return '';
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/**
 * A table. columns: [{title, cell: row => text|Node, wide}] (wide columns hide on a phone);
 * rowClass and key optional.
 */
export function table(columns, rows, { empty = 'Nothing here.', rowClass, label } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', { 'aria-label': label },
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { class: c.wide ? 'wide' : undefined, scope: 'col' }, c.title)))),
      h('tbody', {}, rows.map(row => h('tr', { class: rowClass ? rowClass(row) : undefined, dataset: { name: row.metadata ? row.metadata.name : '' } },
        columns.map(c => h('td', { class: c.wide ? 'wide' : undefined, 'data-label': c.title }, c.cell(row))))))));
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind || ''}` }, text);
}

export function toast(message, kind = 'info') {
  const note = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', {}, message), h('button', { class: 'link', 'aria-label': 'Dismiss', onclick: () => note.remove() }, '×'));
  document.getElementById('toasts').append(note);
  setTimeout(() => note.remove(), kind === 'error' ? 15000 : 5000);
}

function dialog(title, body, confirmLabel, danger) {
  return new Promise(resolve => {
    const form = h('form', { method: 'dialog' },
      h('h2', {}, title), body,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { box.close(); } }, 'Cancel'),
        h('button', { type: 'submit', value: 'ok', class: danger ? 'danger' : 'primary' }, confirmLabel)));
    const box = h('dialog', { class: 'modal' }, form);
    box.addEventListener('close', () => { resolve(box.returnValue === 'ok' ? form : null); box.remove(); });
    document.body.append(box);
    box.showModal();
  });
}

/** Asks before something destructive; resolves true only on an explicit yes. */
export async function confirm(title, text, confirmLabel = 'Delete') {
  return (await dialog(title, h('p', {}, text), confirmLabel, true)) !== null;
}

/** Asks for one value; resolves the value, or null when cancelled. */
export async function ask(title, label, value, attributes = {}) {
  const input = h('input', { name: 'value', value, required: true, ...attributes });
  const form = await dialog(title, h('label', {}, label, input), 'Save', false);
  return form ? input.value : null;
}

/** Runs an action and reports its outcome: the server's own message when refused (RBAC's 403 included). */
export async function act(description, action) {
  try {
    await action();
    toast(`${description}: done`, 'ok');
    return true;
  } catch (error) {
    toast(`${description} failed: ${error.message}`, 'error');
    return false;
  }
}

/** An error in place of content, e.g. a list RBAC forbids. */
export function problem(error) {
  return h('p', { class: 'problem', role: 'alert' }, error.status === 403 ? `Forbidden: ${error.message}` : error.message);
}
