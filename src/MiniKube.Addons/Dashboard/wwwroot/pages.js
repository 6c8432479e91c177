// The pages. Each gets a view { namespace, signal } and returns its content; its watches and
// timers stop when the signal aborts (the user went to another page).

import { ApiError, getJson, item, request, resourceFor, served, streamLines } from './api.js';
import { buttons } from './actions.js';
import * as K from './kinds.js';
import { live } from './live.js';
import { documents, header } from './manifest.js';
import { age, badge, h, problem, replace, table, toast } from './ui.js';

const name = { title: 'Name', cell: o => o.metadata.name };
const namespaceColumn = view => (view.namespace ? [] : [{ title: 'Namespace', cell: o => o.metadata.namespace, wide: true }]);
const created = { title: 'Age', cell: o => age(o.metadata.creationTimestamp) };
const actions = kind => ({ title: '', cell: o => buttons(kind, o) });
const section = (title, ...content) => h('section', { class: 'card' }, h('h2', {}, title), content);

function every(view, ms, task) {
  task();
  const timer = setInterval(task, ms);
  view.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

// Quantities as the API writes them (resource.Quantity): 250m, 1.5, 123456n, 512Mi, 1G.
const suffixes = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
export function quantity(text) {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(String(text || '0'));
  return match ? Number(match[1]) * (suffixes[match[2]] || 1) : 0;
}
const cores = value => (value < 1 ? `${Math.round(value * 1000)}m` : value.toFixed(2).replace(/\.?0+$/, ''));
const bytes = value => (value >= 2 ** 30 ? `${(value / 2 ** 30).toFixed(1)}Gi` : `${Math.round(value / 2 ** 20)}Mi`);

function usage(used, capacity, format) {
  if (used === undefined) return h('span', { class: 'muted' }, '–');
  const share = capacity ? Math.min(100, Math.round((used / capacity) * 100)) : 0;
  // Through the CSSOM: the content security policy refuses style attributes.
  const bar = h('span');
  bar.style.width = `${share}%`;
  return h('span', { class: 'usage' }, h('span', { class: 'meter' }, bar), `${format(used)} (${share}%)`);
}

function ready(conditions, type = 'Ready') {
  const condition = (conditions || []).find(c => c.type === type);
  return condition && condition.status === 'True';
}

// ---- overview ----------------------------------------------------------------------------------

function nodesCard(view) {
  let metrics = null;
  let metricsNote = 'loading metrics…';
  const nodes = live(view, K.Nodes, {
    render: items => [
      table([
        name,
        { title: 'Status', cell: n => (ready(n.status.conditions) ? badge('Ready', 'ok') : badge('NotReady', 'bad')) },
        { title: 'Version', cell: n => (n.status.nodeInfo || {}).kubeletVersion, wide: true },
        { title: 'CPU', cell: n => usage(metrics && metrics[n.metadata.name] ? quantity(metrics[n.metadata.name].cpu) : undefined, quantity(n.status.allocatable && n.status.allocatable.cpu), cores) },
        { title: 'Memory', cell: n => usage(metrics && metrics[n.metadata.name] ? quantity(metrics[n.metadata.name].memory) : undefined, quantity(n.status.allocatable && n.status.allocatable.memory), bytes) },
      ], items, { empty: 'No nodes.', label: 'Nodes' }),
      metrics ? null : h('p', { class: 'muted metrics-note' }, metricsNote),
    ],
  });
  every(view, 15000, async () => {
    try {
      const list = await getJson('/apis/metrics.k8s.io/v1beta1/nodes', { signal: view.signal });
      metrics = Object.fromEntries(list.items.map(m => [m.metadata.name, m.usage]));
    } catch (error) {
      if (view.signal.aborted) return;
      metrics = null;
      metricsNote = error instanceof ApiError && (error.status === 404 || error.status === 503)
        ? 'Metrics unavailable: the metrics.k8s.io API is not served (mkube server --disable metrics?).'
        : `Metrics unavailable: ${error.message}`;
    }
    nodes.redraw();
  });
  return section('Nodes', nodes.element);
}

const phases = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];
function podsCard(view) {
  const pods = live(view, K.Pods, {
    render: items => {
      const counts = Object.fromEntries(phases.map(p => [p, 0]));
      for (const pod of items) counts[pod.status && pod.status.phase in counts ? pod.status.phase : 'Unknown']++;
      return h('ul', { class: 'phases', 'aria-label': 'Pods by phase' },
        phases.map(p => h('li', { class: `phase ${p.toLowerCase()}`, dataset: { phase: p } }, h('strong', {}, String(counts[p])), ' ', p)));
    },
  });
  return section(`Pods${view.namespace ? ` in ${view.namespace}` : ''}`, pods.element, h('a', { href: '#/pods' }, 'All pods →'));
}

const when = e => e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp;
const newestFirst = (a, b) => Date.parse(when(b) || 0) - Date.parse(when(a) || 0);
const eventColumns = [
  { title: 'Last seen', cell: e => age(when(e)) },
  { title: 'Type', cell: e => badge(e.type, e.type === 'Warning' ? 'warn' : '') },
  { title: 'Reason', cell: e => e.reason },
  { title: 'Object', cell: e => `${(e.involvedObject || {}).kind || ''}/${(e.involvedObject || {}).name || ''}`, wide: true },
  { title: 'Message', cell: e => h('span', { class: 'message' }, e.message || (e.count > 1 ? ` (×${e.count})` : '')) },
];

function warningsCard(view) {
  const events = live(view, K.Events, {
    params: { fieldSelector: 'type=Warning' },
    sort: newestFirst,
    render: items => table(eventColumns, items.slice(0, 8), { empty: 'No warnings.', label: 'Recent warnings' }),
  });
  return section('Recent warnings', events.element);
}

function healthCard(view) {
  const body = h('div', {}, h('p', { class: 'empty' }, 'Checking…'));
  every(view, 10000, async () => {
    const checks = await Promise.all(['livez', 'readyz'].map(async endpoint => {
      try {
        const response = await fetch(`/${endpoint}?verbose`, { cache: 'no-store', signal: view.signal });
        return { endpoint, text: await response.text() };
      } catch (error) {
        return { endpoint, text: `[-]${endpoint} failed: ${error.message}` };
      }
    }));
    if (view.signal.aborted) return;
    replace(body, checks.map(({ endpoint, text }) => h('div', { class: 'health' }, h('h3', {}, endpoint),
      h('ul', {}, text.split('\n').filter(l => l.startsWith('[')).map(l => h('li', {}, l.startsWith('[+]') ? badge('ok', 'ok') : badge('failed', 'bad'), ' ', l.slice(3).replace(/ ok$/, '')))))));
  });
  return section('Component health', body);
}

function overview(view) {
  return [h('h1', {}, 'Overview'), h('div', { class: 'grid' }, nodesCard(view), podsCard(view), warningsCard(view), healthCard(view))];
}

// ---- namespaces --------------------------------------------------------------------------------

function namespaces(view) {
  const list = live(view, K.Namespaces, {
    render: items => table([name, { title: 'Status', cell: n => badge(n.status.phase, n.status.phase === 'Active' ? 'ok' : 'warn') }, created,
      { title: '', cell: n => h('span', { class: 'row-actions' }, h('button', { class: 'small', onclick: () => view.choose(n.metadata.name) }, 'Select'), buttons(K.Namespaces, n)) }], items, { label: 'Namespaces' }),
  });
  return [h('h1', {}, 'Namespaces'), section('All namespaces', list.element)];
}

// ---- workloads ---------------------------------------------------------------------------------

const replicas = o => `${(o.status && o.status.readyReplicas) || 0}/${o.spec.replicas === undefined ? 1 : o.spec.replicas}`;

function jobStatus(job) {
  const conditions = (job.status && job.status.conditions) || [];
  if (conditions.some(c => c.type === 'Complete' && c.status === 'True')) return badge('Complete', 'ok');
  if (conditions.some(c => c.type === 'Failed' && c.status === 'True')) return badge('Failed', 'bad');
  if (job.spec.suspend) return badge('Suspended', 'warn');
  return badge('Running', '');
}

function workloads(view) {
  const block = (title, kind, columns) => section(title, live(view, kind, {
    render: items => table([name, ...namespaceColumn(view), ...columns, created, actions(kind)], items, { empty: `No ${title}.`, label: title }),
  }).element);
  return [h('h1', {}, 'Workloads'),
    block('Deployments', K.Deployments, [
      { title: 'Ready', cell: d => h('span', { class: 'replicas' }, replicas(d)) },
      { title: 'Up-to-date', cell: d => String((d.status && d.status.updatedReplicas) || 0), wide: true },
      { title: 'Available', cell: d => String((d.status && d.status.availableReplicas) || 0), wide: true },
    ]),
    block('StatefulSets', K.StatefulSets, [{ title: 'Ready', cell: s => h('span', { class: 'replicas' }, replicas(s)) }]),
    block('DaemonSets', K.DaemonSets, [
      { title: 'Desired', cell: d => String((d.status && d.status.desiredNumberScheduled) || 0) },
      { title: 'Ready', cell: d => String((d.status && d.status.numberReady) || 0) },
    ]),
    block('Jobs', K.Jobs, [
      { title: 'Completions', cell: j => `${(j.status && j.status.succeeded) || 0}/${j.spec.completions === undefined ? 1 : j.spec.completions}` },
      { title: 'Status', cell: jobStatus },
    ]),
    block('CronJobs', K.CronJobs, [
      { title: 'Schedule', cell: c => h('code', {}, c.spec.schedule) },
      { title: 'Suspended', cell: c => (c.spec.suspend ? 'yes' : 'no'), wide: true },
      { title: 'Active', cell: c => String(((c.status && c.status.active) || []).length) },
      { title: 'Last schedule', cell: c => age(c.status && c.status.lastScheduleTime), wide: true },
    ]),
  ];
}

// ---- pods --------------------------------------------------------------------------------------

// kubectl's STATUS column, shortened: a waiting or terminated container's reason wins over the phase.
function podStatus(pod) {
  if (pod.metadata.deletionTimestamp) return badge('Terminating', 'warn');
  for (const c of (pod.status && pod.status.containerStatuses) || []) {
    if (c.state && c.state.waiting && c.state.waiting.reason) return badge(c.state.waiting.reason, 'warn');
    if (c.state && c.state.terminated && c.state.terminated.reason && pod.status.phase === 'Running') return badge(c.state.terminated.reason, 'warn');
  }
  const phase = (pod.status && (pod.status.reason || pod.status.phase)) || 'Unknown';
  return badge(phase, phase === 'Running' || phase === 'Succeeded' ? 'ok' : phase === 'Failed' ? 'bad' : '');
}

const podColumns = view => [
  { title: 'Name', cell: p => h('a', { href: `#/pods/${encodeURIComponent(p.metadata.namespace)}/${encodeURIComponent(p.metadata.name)}` }, p.metadata.name) },
  ...namespaceColumn(view),
  { title: 'Ready', cell: p => { const s = (p.status && p.status.containerStatuses) || []; return `${s.filter(c => c.ready).length}/${p.spec.containers.length}`; } },
  { title: 'Status', cell: podStatus },
  { title: 'Restarts', cell: p => String(((p.status && p.status.containerStatuses) || []).reduce((n, c) => n + (c.restartCount || 0), 0)), wide: true },
  { title: 'Node', cell: p => p.spec.nodeName || '', wide: true },
  created,
  actions(K.Pods),
];

function pods(view) {
  const list = live(view, K.Pods, { render: items => table(podColumns(view), items, { empty: 'No pods.', label: 'Pods' }) });
  return [h('h1', {}, 'Pods'), section(view.namespace ? `Pods in ${view.namespace}` : 'Pods in all namespaces', list.element)];
}

const MAX_LOG_LINES = 5000;

function logsPanel(view, pod) {
  const containers = pod.spec.containers.map(c => c.name);
  const select = h('select', { 'aria-label': 'Container' }, containers.map(c => h('option', { value: c }, c)));
  const follow = h('input', { type: 'checkbox', checked: true });
  const output = h('pre', { class: 'logs', tabindex: '0', 'aria-label': 'Log output' });
  const state = h('span', { class: 'muted log-state' });
  let stream = null;
  const start = () => {
    if (stream) stream.abort();
    stream = new AbortController();
    const signal = AbortSignal.any([view.signal, stream.signal]);
    output.replaceChildren();
    const params = new URLSearchParams({ container: select.value, tailLines: '500' });
    if (follow.checked) params.set('follow', 'true');
    state.textContent = follow.checked ? 'following' : '';
    streamLines(`${item(K.Pods, pod.metadata.namespace, pod.metadata.name)}/log?${params}`, {
      signal,
      onLines: lines => {
        const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
        for (const line of lines) output.append(h('span', { class: 'line' }, line, '\n'));
        while (output.childNodes.length > MAX_LOG_LINES) output.firstChild.remove();
        if (atBottom) output.scrollTop = output.scrollHeight;
      },
    }).then(() => { if (!signal.aborted) state.textContent = 'stream ended'; })
      .catch(error => {
        if (signal.aborted) return;
        // A connection that broke (the browser says so with a TypeError, not an API answer) is
        // opened again while following, as the watches are; the server's refusals are shown.
        if (follow.checked && !(error instanceof ApiError)) {
          state.textContent = 'connection lost; reconnecting';
          setTimeout(() => { if (!signal.aborted) start(); }, 1000);
          return;
        }
        replace(output, problem(error));
      });
  };
  select.addEventListener('change', start);
  follow.addEventListener('change', start);
  start();
  return section('Logs', h('div', { class: 'toolbar' }, h('label', {}, 'Container ', select), h('label', {}, follow, ' Follow'), state), output);
}

async function podDetail(view, namespace, podName) {
  let pod;
  try {
    pod = await getJson(item(K.Pods, namespace, podName), { signal: view.signal });
  } catch (error) {
    return [h('h1', {}, podName), problem(error)];
  }
  const summary = live(view, K.Pods, {
    namespace, params: { fieldSelector: `metadata.name=${podName}` },
    render: ([p]) => (p
      ? h('dl', { class: 'facts' },
        h('dt', {}, 'Status'), h('dd', {}, podStatus(p)),
        h('dt', {}, 'Node'), h('dd', {}, p.spec.nodeName || '–'),
        h('dt', {}, 'Pod IP'), h('dd', {}, (p.status && p.status.podIP) || '–'),
        h('dt', {}, 'Containers'), h('dd', {}, p.spec.containers.map(c => h('div', {}, h('strong', {}, c.name), ' ', h('code', {}, c.image)))),
        h('dt', {}, 'Age'), h('dd', {}, age(p.metadata.creationTimestamp)))
      : h('p', { class: 'empty' }, 'The pod is gone.')),
  });
  const events = live(view, K.Events, {
    namespace, params: { fieldSelector: `involvedObject.name=${podName}` }, sort: newestFirst,
    render: items => table(eventColumns, items.filter(e => (e.involvedObject || {}).kind === 'Pod'), { empty: 'No events.', label: 'Events' }),
  });
  return [h('p', { class: 'crumbs' }, h('a', { href: '#/pods' }, 'Pods'), ' / ', namespace),
    h('h1', {}, podName, ' ', buttons(K.Pods, pod)),
    section('Pod', summary.element), logsPanel(view, pod), section('Events', events.element)];
}

// ---- network -----------------------------------------------------------------------------------

const ports = s => ((s.spec && s.spec.ports) || []).map(p => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol || 'TCP'}`).join(', ');
const addresses = o => ((o.status && o.status.loadBalancer && o.status.loadBalancer.ingress) || []).map(i => i.ip || i.hostname).join(', ');

async function network(view) {
  const block = (title, kind, columns) => section(title, live(view, kind, {
    render: items => table([name, ...namespaceColumn(view), ...columns, created, actions(kind)], items, { empty: `No ${title}.`, label: title }),
  }).element);
  const content = [h('h1', {}, 'Network'),
    block('Services', K.Services, [
      { title: 'Type', cell: s => s.spec.type },
      { title: 'Cluster IP', cell: s => s.spec.clusterIP || '' },
      { title: 'External', cell: addresses, wide: true },
      { title: 'Ports', cell: ports },
    ]),
    block('Ingresses', K.Ingresses, [
      { title: 'Class', cell: i => i.spec.ingressClassName || '', wide: true },
      { title: 'Hosts', cell: i => ((i.spec.rules || []).map(r => r.host).filter(Boolean).join(', ') || '*') },
      { title: 'Address', cell: addresses },
    ])];
  // Routes only where the Gateway API is served (its CRDs come with the ingress add-on).
  if (await served('gateway.networking.k8s.io/v1').catch(() => false)) {
    content.push(block('HTTPRoutes', K.HttpRoutes, [
      { title: 'Hostnames', cell: r => (r.spec.hostnames || []).join(', ') || '*' },
      { title: 'Parents', cell: r => (r.spec.parentRefs || []).map(p => p.name).join(', '), wide: true },
    ]));
  }
  return content;
}

// ---- config ------------------------------------------------------------------------------------

function expandable(summary, build) {
  const details = h('details', {}, h('summary', {}, summary));
  details.addEventListener('toggle', () => {
    if (details.open && details.childNodes.length === 1) details.append(build());
  });
  return details;
}

function configMapData(cm) {
  const entries = Object.entries(cm.data || {});
  if (!entries.length) return h('p', { class: 'empty' }, 'No data.');
  return h('dl', { class: 'data' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, h('pre', {}, v))]));
}

function decode(base64) {
  try {
    const raw = atob(base64);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(raw, c => c.charCodeAt(0)));
    return text;
  } catch {
    return `(${atob(base64).length} bytes of binary data)`;
  }
}

// A Secret's values are fetched only when asked (the list is a Table without them), and each
// value stays masked until its own Reveal.
function secretValues(view, row) {
  const box = h('div', {}, h('p', { class: 'empty' }, 'Loading…'));
  getJson(item(K.Secrets, row.metadata.namespace, row.metadata.name), { signal: view.signal }).then(secret => {
    const entries = Object.entries(secret.data || {});
    replace(box, entries.length ? h('dl', { class: 'data secret' }, entries.map(([k, v]) => {
      const value = h('pre', { class: 'masked' }, '••••••••');
      const reveal = h('button', {
        class: 'small', dataset: { action: 'reveal' },
        onclick: () => {
          const hidden = value.classList.toggle('masked');
          value.textContent = hidden ? '••••••••' : decode(v);
          reveal.textContent = hidden ? 'Reveal' : 'Hide';
        },
      }, 'Reveal');
      return [h('dt', {}, k, ' ', reveal), h('dd', {}, value)];
    })) : h('p', { class: 'empty' }, 'No data.'));
  }).catch(error => replace(box, problem(error)));
  return box;
}

function config(view) {
  const maps = live(view, K.ConfigMaps, {
    render: items => table([
      { title: 'Name', cell: c => expandable(c.metadata.name, () => configMapData(c)) }, ...namespaceColumn(view),
      { title: 'Keys', cell: c => String(Object.keys(c.data || {}).length + Object.keys(c.binaryData || {}).length) }, created, actions(K.ConfigMaps)], items, { label: 'ConfigMaps' }),
  });
  const secrets = live(view, K.Secrets, {
    table: true,
    render: items => table([
      { title: 'Name', cell: s => expandable(s.metadata.name, () => secretValues(view, s)) }, ...namespaceColumn(view),
      { title: 'Type', cell: s => String(s.cells[1]), wide: true },
      { title: 'Keys', cell: s => String(s.cells[2]) }, created, actions(K.Secrets)], items, { label: 'Secrets' }),
  });
  return [h('h1', {}, 'Config'), section('ConfigMaps', maps.element), section('Secrets', secrets.element)];
}

// ---- apply -------------------------------------------------------------------------------------

async function applyOne(doc, fallbackNamespace, force) {
  const found = header(doc);
  if (!found.apiVersion || !found.kind || !found.name) throw new Error('a document needs apiVersion, kind and metadata.name (block-style YAML or JSON)');
  const kind = await resourceFor(found.apiVersion, found.kind);
  const namespace = kind.namespaced ? found.namespace || fallbackNamespace || 'default' : '';
  const params = new URLSearchParams({ fieldManager: 'mkube-dashboard' });
  if (force) params.set('force', 'true');
  const isJson = doc.trim().startsWith('{');
  await request(`${item(kind, namespace, found.name)}?${params}`, {
    method: 'PATCH', contentType: 'application/apply-patch+yaml', body: isJson ? doc.trim() : doc,
  });
  return `${found.kind.toLowerCase()}/${found.name}${namespace ? ` in ${namespace}` : ''}`;
}

function apply(view) {
  const text = h('textarea', { rows: 18, spellcheck: false, 'aria-label': 'YAML manifests', placeholder: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: example\ndata:\n  key: value' });
  const force = h('input', { type: 'checkbox' });
  const results = h('ul', { class: 'results' });
  const run = async event => {
    event.preventDefault();
    results.replaceChildren();
    for (const doc of documents(text.value)) {
      try {
        const what = await applyOne(doc, view.namespace, force.checked);
        results.append(h('li', { class: 'ok' }, `${what} applied`));
      } catch (error) {
        results.append(h('li', { class: 'bad', role: 'alert' }, error.message));
      }
    }
    if (!results.childNodes.length) toast('Nothing to apply.', 'info');
  };
  return [h('h1', {}, 'Apply YAML'),
    section('Server-side apply', h('form', { onsubmit: run },
      h('p', { class: 'muted' }, 'Each document is applied as you, with field manager mkube-dashboard (kubectl apply --server-side). A document without a namespace goes to the selected one.'),
      text, h('div', { class: 'toolbar' }, h('label', {}, force, ' Force conflicts'), h('button', { type: 'submit', class: 'primary' }, 'Apply'))), results)];
}

/** Routes: the hash path's first segment picks the page; the rest are its arguments. */
export const routes = {
  overview: { title: 'Overview', page: overview },
  namespaces: { title: 'Namespaces', page: namespaces },
  workloads: { title: 'Workloads', page: workloads },
  pods: { title: 'Pods', page: (view, namespace, pod) => (pod ? podDetail(view, namespace, pod) : pods(view)) },
  network: { title: 'Network', page: network },
  config: { title: 'Config', page: config },
  apply: { title: 'Apply YAML', page: apply },
};
