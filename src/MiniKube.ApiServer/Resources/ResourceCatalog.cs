using k8s.Models;
using MiniKube.ApiServer.Conversion;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// Every resource the API server serves, in discovery order. Discovery, OpenAPI, routing and
/// the registry all read this one list, so adding a kind here is what makes it exist.
/// Short names, categories and subresources follow kube-apiserver's own discovery documents.
/// </summary>
public static class ResourceCatalog
{
    private static readonly string[] GetPatchUpdate = ["get", "patch", "update"];
    private static readonly string[] Create = ["create"];
    private static readonly string[] CreateGet = ["create", "get"];
    private static readonly string[] Get = ["get"];
    private static readonly string[] CategoryAll = ["all"];

    private static Subresource Status(string group, string version, string kind) => new("status", group, version, kind, GetPatchUpdate);

    private static readonly Subresource Scale = new("scale", "autoscaling", "v1", "Scale", GetPatchUpdate);

    private static ResourceType Core(string name, string kind, Type model, bool namespaced = true) => new("", "v1", name, kind, model, namespaced);

    private static ResourceType Apps(string name, string kind, Type model) => new("apps", "v1", name, kind, model, true);

    // Workloads with replicas: listed in category all, with /scale and /status.
    private static ResourceType Scalable(ResourceType type, IResourceStrategy strategy, string shortName) => type with
    {
        Strategy = strategy,
        ShortNames = [shortName],
        Categories = CategoryAll,
        Subresources = [Scale, Status(type.Group, type.Version, type.Kind)],
    };

    private static ResourceType Review(string group, string name, string kind, Type model, bool namespaced = false) =>
        new ResourceType(group, "v1", name, kind, model, namespaced) with { Verbs = Create };

    // Stored forms that other served forms convert to and from; the catalog lists them below too.
    private static readonly ResourceType CoreEvents = Core("events", "Event", typeof(Corev1Event)) with { Strategy = BuiltInStrategies.Event, ShortNames = ["ev"] };

    private static readonly ResourceType HorizontalPodAutoscalersV2 =
        new ResourceType("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", typeof(V2HorizontalPodAutoscaler), true) with
        {
            Strategy = BuiltInStrategies.HorizontalPodAutoscaler,
            ShortNames = ["hpa"],
            Categories = CategoryAll,
            Subresources = [Status("autoscaling", "v2", "HorizontalPodAutoscaler")],
        };

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Core("namespaces", "Namespace", typeof(V1Namespace), namespaced: false) with
        {
            Strategy = BuiltInStrategies.Namespace,
            ShortNames = ["ns"],
            // As upstream: no deletecollection, so one request cannot remove every namespace.
            Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
            Subresources = [Status("", "v1", "Namespace"), new("finalize", "", "v1", "Namespace", ["update"])],
        },
        Core("pods", "Pod", typeof(V1Pod)) with
        {
            Strategy = BuiltInStrategies.Pod,
            ShortNames = ["po"],
            Categories = CategoryAll,
            Subresources =
            [
                Status("", "v1", "Pod"),
                new("binding", "", "v1", "Binding", Create),
                new("ephemeralcontainers", "", "v1", "Pod", GetPatchUpdate),
                new("eviction", "policy", "v1", "Eviction", Create),
                new("log", "", "v1", "Pod", Get),
                new("exec", "", "v1", "PodExecOptions", CreateGet),
                new("attach", "", "v1", "PodAttachOptions", CreateGet),
                new("portforward", "", "v1", "PodPortForwardOptions", CreateGet),
            ],
        },
        Core("nodes", "Node", typeof(V1Node), namespaced: false) with { Strategy = BuiltInStrategies.Node, ShortNames = ["no"], Subresources = [Status("", "v1", "Node")] },
        Core("services", "Service", typeof(V1Service)) with { Strategy = BuiltInStrategies.Service, ShortNames = ["svc"], Categories = CategoryAll, Subresources = [Status("", "v1", "Service")] },
        Core("endpoints", "Endpoints", typeof(V1Endpoints)) with { Strategy = BuiltInStrategies.Endpoints, ShortNames = ["ep"] },
        Core("configmaps", "ConfigMap", typeof(V1ConfigMap)) with { Strategy = BuiltInStrategies.ConfigMap, ShortNames = ["cm"] },
        Core("secrets", "Secret", typeof(V1Secret)) with { Strategy = BuiltInStrategies.Secret },
        Core("serviceaccounts", "ServiceAccount", typeof(V1ServiceAccount)) with
        {
            Strategy = BuiltInStrategies.ServiceAccount,
            ShortNames = ["sa"],
            Subresources = [new("token", "authentication.k8s.io", "v1", "TokenRequest", Create)],
        },
        CoreEvents,
        Scalable(Core("replicationcontrollers", "ReplicationController", typeof(V1ReplicationController)), BuiltInStrategies.ReplicationController, "rc"),
        Core("persistentvolumes", "PersistentVolume", typeof(V1PersistentVolume), namespaced: false) with
        {
            Strategy = BuiltInStrategies.PersistentVolume,
            ShortNames = ["pv"],
            Subresources = [Status("", "v1", "PersistentVolume")],
        },
        Core("persistentvolumeclaims", "PersistentVolumeClaim", typeof(V1PersistentVolumeClaim)) with
        {
            Strategy = BuiltInStrategies.PersistentVolumeClaim,
            ShortNames = ["pvc"],
            Subresources = [Status("", "v1", "PersistentVolumeClaim")],
        },
        Core("limitranges", "LimitRange", typeof(V1LimitRange)) with { Strategy = BuiltInStrategies.LimitRange, ShortNames = ["limits"] },
        Core("resourcequotas", "ResourceQuota", typeof(V1ResourceQuota)) with
        {
            Strategy = BuiltInStrategies.ResourceQuota,
            ShortNames = ["quota"],
            Subresources = [Status("", "v1", "ResourceQuota")],
        },
        Core("podtemplates", "PodTemplate", typeof(V1PodTemplate)) with { Strategy = BuiltInStrategies.PodTemplate },
        Core("componentstatuses", "ComponentStatus", typeof(V1ComponentStatus), namespaced: false) with
        {
            ShortNames = ["cs"],
            Verbs = ResourceType.ReadVerbs,
        },
        Scalable(Apps("deployments", "Deployment", typeof(V1Deployment)), BuiltInStrategies.Deployment, "deploy"),
        Scalable(Apps("replicasets", "ReplicaSet", typeof(V1ReplicaSet)), BuiltInStrategies.ReplicaSet, "rs"),
        Scalable(Apps("statefulsets", "StatefulSet", typeof(V1StatefulSet)), BuiltInStrategies.StatefulSet, "sts"),
        Apps("daemonsets", "DaemonSet", typeof(V1DaemonSet)) with
        {
            Strategy = BuiltInStrategies.DaemonSet,
            ShortNames = ["ds"],
            Categories = CategoryAll,
            Subresources = [Status("apps", "v1", "DaemonSet")],
        },
        Apps("controllerrevisions", "ControllerRevision", typeof(V1ControllerRevision)),
        // Reviews: create-only, never stored; answered by Http/ReviewHandler through Auth/.
        Review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", typeof(V1SelfSubjectReview)),
        Review("authentication.k8s.io", "tokenreviews", "TokenReview", typeof(V1TokenReview)),
        Review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", typeof(V1LocalSubjectAccessReview), namespaced: true),
        Review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", typeof(V1SelfSubjectAccessReview)),
        Review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", typeof(V1SelfSubjectRulesReview)),
        Review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", typeof(V1SubjectAccessReview)),
        new ResourceType("batch", "v1", "jobs", "Job", typeof(V1Job), true) with
        {
            Strategy = BuiltInStrategies.Job,
            Categories = CategoryAll,
            Subresources = [Status("batch", "v1", "Job")],
        },
        new ResourceType("batch", "v1", "cronjobs", "CronJob", typeof(V1CronJob), true) with
        {
            Strategy = BuiltInStrategies.CronJob,
            ShortNames = ["cj"],
            Categories = CategoryAll,
            Subresources = [Status("batch", "v1", "CronJob")],
        },
        new ResourceType("coordination.k8s.io", "v1", "leases", "Lease", typeof(V1Lease), true) with { Strategy = BuiltInStrategies.Lease },
        new ResourceType("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", typeof(V1EndpointSlice), true) with { Strategy = BuiltInStrategies.EndpointSlice },
        new ResourceType("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", typeof(V1PodDisruptionBudget), true) with
        {
            Strategy = BuiltInStrategies.PodDisruptionBudget,
            ShortNames = ["pdb"],
            Subresources = [Status("policy", "v1", "PodDisruptionBudget")],
        },
        new ResourceType("storage.k8s.io", "v1", "storageclasses", "StorageClass", typeof(V1StorageClass), false) with { Strategy = BuiltInStrategies.StorageClass, ShortNames = ["sc"] },
        new ResourceType("storage.k8s.io", "v1", "csidrivers", "CSIDriver", typeof(V1CSIDriver), false) with { Strategy = BuiltInStrategies.CsiDriver },
        new ResourceType("storage.k8s.io", "v1", "csinodes", "CSINode", typeof(V1CSINode), false) with { Strategy = BuiltInStrategies.CsiNode },
        new ResourceType("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", typeof(V1VolumeAttachment), false) with
        {
            Strategy = BuiltInStrategies.VolumeAttachment,
            Subresources = [Status("storage.k8s.io", "v1", "VolumeAttachment")],
        },
        // autoscaling/v2 is stored and preferred (listed first); v1 converts (kube-apiserver's storage version since 1.27).
        HorizontalPodAutoscalersV2,
        new ResourceType("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", typeof(V1HorizontalPodAutoscaler), true) with
        {
            Strategy = BuiltInStrategies.HorizontalPodAutoscaler,
            ShortNames = ["hpa"],
            Categories = CategoryAll,
            Subresources = [Status("autoscaling", "v1", "HorizontalPodAutoscaler")],
            StoredAs = new(HorizontalPodAutoscalersV2, HorizontalPodAutoscalerConversion.ToV2, HorizontalPodAutoscalerConversion.ToV1),
        },
        new ResourceType("networking.k8s.io", "v1", "ingresses", "Ingress", typeof(V1Ingress), true) with
        {
            Strategy = BuiltInStrategies.Ingress,
            ShortNames = ["ing"],
            Subresources = [Status("networking.k8s.io", "v1", "Ingress")],
        },
        new ResourceType("networking.k8s.io", "v1", "ingressclasses", "IngressClass", typeof(V1IngressClass), false) with { Strategy = BuiltInStrategies.IngressClass },
        new ResourceType("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", typeof(V1NetworkPolicy), true) with
        {
            Strategy = BuiltInStrategies.NetworkPolicy,
            ShortNames = ["netpol"],
        },
        new ResourceType("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", typeof(V1RuntimeClass), false) with { Strategy = BuiltInStrategies.RuntimeClass },
        new ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", typeof(V1ClusterRoleBinding), false) with { Strategy = BuiltInStrategies.ClusterRoleBinding },
        new ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", typeof(V1ClusterRole), false) with { Strategy = BuiltInStrategies.ClusterRole },
        new ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", typeof(V1RoleBinding), true) with { Strategy = BuiltInStrategies.RoleBinding },
        new ResourceType("rbac.authorization.k8s.io", "v1", "roles", "Role", typeof(V1Role), true) with { Strategy = BuiltInStrategies.Role },
        new ResourceType("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", typeof(V1PriorityClass), false) with { Strategy = BuiltInStrategies.PriorityClass, ShortNames = ["pc"] },
        // The same stored objects as core Events, under /registry/events, in the events.k8s.io shape.
        new ResourceType("events.k8s.io", "v1", "events", "Event", typeof(Eventsv1Event), true) with
        {
            Strategy = BuiltInStrategies.EventsV1Event,
            ShortNames = ["ev"],
            StoredAs = new(CoreEvents, EventConversion.ToCore, EventConversion.ToEventsV1),
        },
        new ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", typeof(V1CustomResourceDefinition), false) with
        {
            Strategy = BuiltInStrategies.CustomResourceDefinition,
            ShortNames = ["crd", "crds"],
            Categories = ["api-extensions"],
            Subresources = [Status("apiextensions.k8s.io", "v1", "CustomResourceDefinition")],
        },
        new ResourceType("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", typeof(V1CertificateSigningRequest), false) with
        {
            Strategy = BuiltInStrategies.CertificateSigningRequest,
            ShortNames = ["csr"],
            Subresources =
            [
                new("approval", "certificates.k8s.io", "v1", "CertificateSigningRequest", GetPatchUpdate),
                Status("certificates.k8s.io", "v1", "CertificateSigningRequest"),
            ],
        },
        new ResourceType("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", typeof(V1MutatingWebhookConfiguration), false) with { Strategy = AdmissionRegistrationStrategies.MutatingWebhookConfiguration },
        new ResourceType("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", typeof(V1ValidatingWebhookConfiguration), false) with { Strategy = AdmissionRegistrationStrategies.ValidatingWebhookConfiguration },
        new ResourceType("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", typeof(V1ValidatingAdmissionPolicy), false) with
        {
            Strategy = AdmissionRegistrationStrategies.ValidatingAdmissionPolicy,
            Categories = ["api-extensions"],
            Subresources = [Status("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy")],
        },
        new ResourceType("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", typeof(V1ValidatingAdmissionPolicyBinding), false) with
        {
            Strategy = AdmissionRegistrationStrategies.ValidatingAdmissionPolicyBinding,
            Categories = ["api-extensions"],
        },
        new ResourceType("apiregistration.k8s.io", "v1", "apiservices", "APIService", typeof(V1APIService), false) with
        {
            Strategy = BuiltInStrategies.ApiService,
            Categories = ["api-extensions"],
            Subresources = [Status("apiregistration.k8s.io", "v1", "APIService")],
        },
    ];

    /// <summary>Group-versions in discovery order, core ("v1") first.</summary>
    public static IReadOnlyList<string> GroupVersions { get; } = All.Select(r => r.GroupVersion).Distinct().ToArray();

    private static readonly Dictionary<(string Group, string Version, string Name), ResourceType> ByName =
        All.ToDictionary(r => (r.Group, r.Version, r.Name));

    // A kind served in several versions (HorizontalPodAutoscaler) is found by group in its preferred, first-listed version.
    private static readonly Dictionary<(string Group, string Kind), ResourceType> ByKind =
        All.GroupBy(r => (r.Group, r.Kind)).ToDictionary(g => g.Key, g => g.First());

    private static readonly Dictionary<(string Group, string Version, string Kind), ResourceType> ByVersionKind =
        All.ToDictionary(r => (r.Group, r.Version, r.Kind));

    public static ResourceType? Find(string group, string version, string name) =>
        ByName.TryGetValue((group, version, name), out var type) ? type : null;

    /// <summary>The kind in its group's preferred version.</summary>
    public static ResourceType? FindKind(string group, string kind) =>
        ByKind.TryGetValue((group, kind), out var type) ? type : null;

    public static ResourceType? FindKind(string group, string version, string kind) =>
        ByVersionKind.TryGetValue((group, version, kind), out var type) ? type : null;

    /// <summary>
    /// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (metrics-server's resources, get and list
    /// only): not in <see cref="All"/>, since they are served only when a metrics source is wired
    /// (<see cref="ApiServerOptions.ResourceMetrics"/>; <c>--disable metrics</c> leaves them out).
    /// Answered by Http/ResourceMetricsHandler, never stored.
    /// </summary>
    public static IReadOnlyList<ResourceType> ResourceMetrics { get; } =
    [
        new ResourceType("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", typeof(NodeMetrics), false) { Verbs = ResourceType.ReadVerbs },
        new ResourceType("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", typeof(PodMetrics), true) { Verbs = ResourceType.ReadVerbs },
    ];

    /// <summary>ComponentStatus: served from live health checks (Health/ComponentStatuses), never from the store.</summary>
    public static ResourceType ComponentStatuses { get; } = Find("", "v1", "componentstatuses")!;
}
