// The shell: sign-in, the navigation, the namespace selector and the hash router. Routes live in
// the URL's fragment (#/pods/default/web), which never reaches the server or its logs.

import { session, onUnauthorized, whoAmI, collection, getJson } from './api.js';
import { h, replace, problem } from './ui.js';
import { routes } from './pages.js';
import * as K from './kinds.js';

const app = document.getElementById('app');
const NAMESPACE = 'mkube.namespace';
let current = null;
let main = null;

function signIn(message) {
  if (current) current.abort();
  main = null;
  const token = h('textarea', { id: 'token', name: 'token', rows: 4, required: true, autocomplete: 'off', spellcheck: false, placeholder: 'eyJhbGciOi…' });
  const error = h('p', { class: 'problem', role: 'alert', hidden: !message }, message || '');
  const fail = e => { error.hidden = false; error.textContent = e.status === 401 ? 'The server did not accept these credentials.' : e.message; };
  const withToken = async event => {
    event.preventDefault();
    const value = token.value.trim();
    try {
      const user = await whoAmI(value);
      session.start('token', value, user.username || '');
      start();
    } catch (e) { fail(e); }
  };
  const withCertificate = async () => {
    try {
      const user = await whoAmI(null);
      session.start('certificate', null, user.username || '');
      start();
    } catch (e) { fail(e); }
  };
  replace(app, h('main', { class: 'signin' },
    h('h1', {}, h('img', { src: 'icon.svg', alt: '', width: 32, height: 32 }), ' mkube dashboard'),
    h('form', { onsubmit: withToken },
      h('label', { for: 'token' }, 'Bearer token'), token,
      h('p', { class: 'muted' }, 'For example ', h('code', {}, 'kubectl create token NAME -n NAMESPACE'), '. Everything you do here is done as that identity: RBAC decides what you can see and change.'),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
    h('p', { class: 'or' }, 'or'),
    h('button', { type: 'button', class: 'secondary', onclick: withCertificate }, 'Sign in with my client certificate'),
    h('p', { class: 'muted' }, 'Uses the certificate your browser presents (one signed by the cluster CA, imported into the browser).'),
    error));
  document.title = 'Sign in · mkube dashboard';
}

function namespaceSelector() {
  const input = h('input', { id: 'namespace', list: 'namespaces', value: sessionStorage.getItem(NAMESPACE) ?? 'default', placeholder: 'all namespaces', autocomplete: 'off', size: 14 });
  const options = h('datalist', { id: 'namespaces' });
  getJson(collection(K.Namespaces)).then(list => replace(options, list.items.map(n => h('option', { value: n.metadata.name })))).catch(() => {});
  input.addEventListener('change', () => { sessionStorage.setItem(NAMESPACE, input.value.trim()); route(); });
  return h('label', { class: 'namespace' }, h('span', {}, 'Namespace'), input, options);
}

function shell() {
  main = h('main', { id: 'view', tabindex: '-1' });
  const nav = h('nav', { 'aria-label': 'Pages' }, Object.entries(routes).map(([path, r]) => h('a', { href: `#/${path}`, dataset: { route: path } }, r.title)));
  replace(app, h('header', { class: 'top' },
    h('a', { class: 'brand', href: '#/overview' }, h('img', { src: 'icon.svg', alt: '', width: 24, height: 24 }), h('span', {}, 'mkube')),
    namespaceSelector(),
    h('span', { class: 'user', title: 'Signed in as' }, session.user || ''),
    h('button', { class: 'small secondary', onclick: () => { session.end(); signIn(); } }, 'Sign out')),
  nav, main);
}

async function route() {
  if (!session.mode) { signIn(); return; }
  if (!main) shell();
  if (current) current.abort();
  current = new AbortController();
  const [path, ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const target = routes[path] || routes.overview;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.route === (routes[path] ? path : 'overview'));
  const view = {
    namespace: sessionStorage.getItem(NAMESPACE) ?? 'default',
    signal: current.signal,
    choose: namespace => { sessionStorage.setItem(NAMESPACE, namespace); document.getElementById('namespace').value = namespace; route(); },
  };
  document.title = `${target.title} · mkube dashboard`;
  const mine = current;
  try {
    const content = await target.page(view, ...args);
    if (mine === current) replace(main, content);
  } catch (error) {
    if (mine === current) replace(main, problem(error));
  }
}

onUnauthorized(() => { session.end(); signIn('Your session has ended (the token expired or was revoked). Sign in again.'); });
window.addEventListener('hashchange', route);

function start() {
  main = null;
  route();
}

start();
