// The kinds the pages show, as discovery names them. scalable: has a scale subresource;
// restartable: a pod template kubectl rollout restart can stamp.

const kind = (group, version, plural, kindName, namespaced = true, extra = {}) => ({ group, version, plural, kind: kindName, namespaced, ...extra });

export const Namespaces = kind('', 'v1', 'namespaces', 'Namespace', false);
export const Nodes = kind('', 'v1', 'nodes', 'Node', false);
export const Pods = kind('', 'v1', 'pods', 'Pod');
export const Events = kind('', 'v1', 'events', 'Event');
export const Services = kind('', 'v1', 'services', 'Service');
export const ConfigMaps = kind('', 'v1', 'configmaps', 'ConfigMap');
export const Secrets = kind('', 'v1', 'secrets', 'Secret');
export const Deployments = kind('apps', 'v1', 'deployments', 'Deployment', true, { scalable: true, restartable: true });
export const StatefulSets = kind('apps', 'v1', 'statefulsets', 'StatefulSet', true, { scalable: true, restartable: true });
export const DaemonSets = kind('apps', 'v1', 'daemonsets', 'DaemonSet', true, { restartable: true });
export const Jobs = kind('batch', 'v1', 'jobs', 'Job');
export const CronJobs = kind('batch', 'v1', 'cronjobs', 'CronJob');
export const Ingresses = kind('networking.k8s.io', 'v1', 'ingresses', 'Ingress');
export const HttpRoutes = kind('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute');
