// The write actions, each a request made as the signed-in user: RBAC refuses what they may not
// do, and the refusal's message is what the user reads.

import { item, request } from './api.js';
import { act, ask, confirm, h } from './ui.js';

/** kubectl delete: confirmed first, then background propagation as kubectl sends it. */
export async function remove(kind, object) {
  const { name, namespace } = object.metadata;
  const where = namespace ? ` in namespace "${namespace}"` : '';
  if (!await confirm(`Delete ${kind.kind}?`, `Delete ${kind.kind} "${name}"${where}? This cannot be undone.`)) return;
  await act(`Delete ${kind.kind} ${name}`, () => request(item(kind, namespace, name), {
    method: 'DELETE', body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
  }));
}

/** kubectl scale: a merge patch of the scale subresource's spec.replicas. */
export async function scale(kind, object) {
  const { name, namespace } = object.metadata;
  const current = object.spec && object.spec.replicas !== undefined ? object.spec.replicas : 1;
  const value = await ask(`Scale ${kind.kind} ${name}`, 'Replicas', String(current), { type: 'number', min: '0', max: '10000', inputmode: 'numeric' });
  if (value === null) return;
  const replicas = Number.parseInt(value, 10);
  await act(`Scale ${name} to ${replicas}`, () => request(`${item(kind, namespace, name)}/scale`, {
    method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas } },
  }));
}

/** kubectl rollout restart: stamps the pod template with kubectl's restartedAt annotation (RFC 3339). */
export async function restart(kind, object) {
  const { name, namespace } = object.metadata;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await act(`Restart ${name}`, () => request(item(kind, namespace, name), {
    method: 'PATCH', contentType: 'application/strategic-merge-patch+json',
    body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now } } } } },
  }));
}

/** The action buttons of one row. */
export function buttons(kind, object) {
  return h('span', { class: 'row-actions' },
    kind.scalable ? h('button', { class: 'small', dataset: { action: 'scale' }, onclick: () => scale(kind, object) }, 'Scale') : null,
    kind.restartable ? h('button', { class: 'small', dataset: { action: 'restart' }, onclick: () => restart(kind, object) }, 'Restart') : null,
    h('button', { class: 'small danger', dataset: { action: 'delete' }, onclick: () => remove(kind, object) }, 'Delete'));
}
