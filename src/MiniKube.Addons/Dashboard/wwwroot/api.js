// The Kubernetes API as the signed-in user: every request carries the user's bearer token (kept
// in sessionStorage, never in a URL), or none when the user signed in with the browser's client
// certificate, which the TLS connection then presents. Nothing here acts as anyone else.

const TOKEN = 'mkube.token';
const MODE = 'mkube.auth';
const USER = 'mkube.user';

/** The session: how the user signed in and who the server says they are. */
export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get mode() { return sessionStorage.getItem(MODE); },
  get user() { return sessionStorage.getItem(USER); },
  start(mode, token, user) {
    if (token) sessionStorage.setItem(TOKEN, token); else sessionStorage.removeItem(TOKEN);
    sessionStorage.setItem(MODE, mode);
    sessionStorage.setItem(USER, user);
  },
  end() { [TOKEN, MODE, USER].forEach(k => sessionStorage.removeItem(k)); },
};

/** A failed API call: the HTTP status and the Kubernetes Status' reason and message. */
export class ApiError extends Error {
  constructor(status, reason, message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

let unauthorized = () => {};
/** Called when the server no longer accepts the session's credentials (401). */
export function onUnauthorized(handler) { unauthorized = handler; }

function headers(extra, token) {
  const h = { Accept: 'application/json', ...extra };
  const t = token === undefined ? session.token : token;
  if (t) h.Authorization = 'Bearer ' + t;
  return h;
}

async function failure(response) {
  let reason = response.statusText;
  let message = `${response.status} ${response.statusText}`;
  const text = await response.text().catch(() => '');
  try {
    const status = JSON.parse(text);
    if (status && status.message) { message = status.message; reason = status.reason || reason; }
  } catch { if (text) message = text.trim(); }
  return new ApiError(response.status, reason, message);
}

/** One API request; a non-2xx answer throws an ApiError carrying the server's message. */
export async function request(path, { method = 'GET', body, contentType, accept, signal, token } = {}) {
  const extra = {};
  if (accept) extra.Accept = accept;
  if (body !== undefined) extra['Content-Type'] = contentType || 'application/json';
  const response = await fetch(path, {
    method, signal, cache: 'no-store', credentials: 'same-origin', headers: headers(extra, token),
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401 && token === undefined) unauthorized();
    throw error;
  }
  return response;
}

export async function getJson(path, options) {
  return (await request(path, options)).json();
}

/** Who the credentials stand for (authentication.k8s.io SelfSubjectReview, allowed to everyone signed in). */
export async function whoAmI(token) {
  const review = await (await request('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST', token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  })).json();
  return review.status && review.status.userInfo ? review.status.userInfo : {};
}

/** The URL of a collection: core group under /api, others under /apis; an empty namespace is all namespaces. */
export function collection(kind, namespace) {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  return kind.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}` : `${base}/${kind.plural}`;
}

/** The URL of one object. */
export function item(kind, namespace, name) {
  return `${collection(kind, kind.namespaced ? namespace : '')}/${encodeURIComponent(name)}`;
}

export const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';

// A Table row becomes an object with the row's metadata and its cells (Tables leave data such as
// a Secret's values out of the page until the user asks for them).
function fromTable(table) {
  return (table.rows || []).map(row => ({ ...(row.object || {}), cells: row.cells }));
}

function query(path, params) {
  const search = new URLSearchParams(params).toString();
  return search ? path + (path.includes('?') ? '&' : '?') + search : path;
}

const sleep = (ms, signal) => new Promise(resolve => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/**
 * List then watch a collection, as an informer does: the list's resourceVersion starts the
 * watch; a watch that ends is resumed from the last version seen (bookmarks included); 410 Gone
 * means the version is too old, so the collection is listed again. onReset gets the full list,
 * onEvent each change after it, onError any failure (the loop retries after a pause).
 */
export async function listWatch(path, { params = {}, table = false, signal, onReset, onEvent, onError }) {
  const accept = table ? TABLE : undefined;
  const rows = body => (table ? fromTable(body) : body.items || []);
  let relist = true;
  let version = '';
  while (!signal.aborted) {
    try {
      if (relist) {
        const list = await getJson(query(path, params), { accept, signal });
        version = list.metadata.resourceVersion;
        onReset(rows(list));
        relist = false;
      }
      const response = await request(query(path, { ...params, watch: '1', allowWatchBookmarks: 'true', resourceVersion: version, timeoutSeconds: '300' }), { accept, signal });
      await readLines(response, lines => {
        for (const line of lines) {
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          if (event.type === 'ERROR') {
            throw new ApiError(event.object.code || 500, event.object.reason || '', event.object.message || 'watch failed');
          }
          const objects = table && event.object.kind === 'Table' ? fromTable(event.object) : [event.object];
          for (const object of objects) {
            if (object.metadata && object.metadata.resourceVersion) version = object.metadata.resourceVersion;
            if (event.type !== 'BOOKMARK') onEvent(event.type, object);
          }
        }
      });
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && (error.status === 410 || error.reason === 'Expired' || error.reason === 'Gone')) {
        relist = true;
        continue;
      }
      relist = true;
      if (onError) onError(error);
      if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 404)) return;
      await sleep(3000, signal);
    }
  }
}

// Hands a streamed body to onLines in whole lines as they arrive (a watch's events, a log's
// lines); a last line without its newline comes at the end.
async function readLines(response, onLines) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const cut = buffered.lastIndexOf('\n');
    if (cut >= 0) {
      const lines = buffered.slice(0, cut).split('\n');
      buffered = buffered.slice(cut + 1);
      onLines(lines);
    }
  }
  if (buffered) onLines([buffered]);
}

/** Streams a text resource (pod logs with follow) line by line until it ends or is aborted. */
export async function streamLines(path, { signal, onLines }) {
  await readLines(await request(path, { signal, accept: '*/*' }), onLines);
}

/** Resource names for kinds, from discovery (what kubectl's RESTMapper does), cached per group-version. */
const discovery = new Map();
export async function resourceFor(apiVersion, kind) {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  if (!discovery.has(path)) discovery.set(path, getJson(path).catch(e => { discovery.delete(path); throw e; }));
  const list = await discovery.get(path);
  const found = list.resources.find(r => r.kind === kind && !r.name.includes('/'));
  if (!found) throw new Error(`the server does not serve kind "${kind}" in ${apiVersion}`);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { group, version, plural: found.name, namespaced: found.namespaced, kind };
}

/** Whether an API group is served (optional add-ons: metrics, Gateway API). */
export async function served(groupVersion) {
  try {
    await getJson(`/apis/${groupVersion}`);
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 503)) return false;
    throw error;
  }
}
