namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// The roles and bindings every cluster starts with, after upstream's bootstrap policy
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy policy.go, controller_policy.go and
/// namespace_policy.go of v1.32), written as compact tables: a rule is its verbs, groups and
/// resources as space-separated words (<c>core</c> is the "" group). The controller roles are
/// those of the controllers this project runs (MiniKube.Controllers' ControllerCatalog) plus
/// the ClusterRole aggregation controller, each bound to its service account in kube-system.
/// <c>admin</c>, <c>edit</c> and <c>view</c> are aggregated roles; <see cref="ClusterRoles"/>
/// carries their rules already gathered from the bootstrap roles, as upstream stores them once
/// its aggregation controller has run.
/// </summary>
internal static class BootstrapPolicy
{
    public const string AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
    public const string BootstrappingLabel = "kubernetes.io/bootstrapping";
    public const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    public const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    public const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

    private const string Read = "get list watch";
    private const string Write = "create update patch delete deletecollection";
    private const string ReadWrite = Read + " " + Write;
    private const string ControllerNamespace = "kube-system";

    /// <summary>A ClusterRole: rules, extra labels, and the label its aggregationRule selects (null: not aggregated).</summary>
    public sealed record ClusterRoleSpec(string Name, PolicyRule[] Rules, (string Key, string Value)[] Labels, string? AggregatesLabel = null);

    /// <summary>A Role in a namespace.</summary>
    public sealed record RoleSpec(string Namespace, string Name, PolicyRule[] Rules);

    /// <summary>A subject: kind User, Group or ServiceAccount (with its namespace).</summary>
    public sealed record SubjectSpec(string Kind, string Name, string Namespace = "");

    /// <summary>A binding; a namespace makes it a RoleBinding, else a ClusterRoleBinding.</summary>
    public sealed record BindingSpec(string Name, string RoleKind, string RoleName, SubjectSpec[] Subjects, string Namespace = "");

    private static readonly PolicyRule Events = R("create update patch", "core events.k8s.io", "events");

    // The controllers' roles (controller_policy.go), by service account name.
    private static readonly (string Account, PolicyRule[] Rules)[] Controllers =
    [
        ("clusterrole-aggregation-controller", [R("escalate get list watch update patch", "rbac.authorization.k8s.io", "clusterroles")]),
        ("cronjob-controller",
        [
            R("get list watch update", "batch", "cronjobs"), R(ReadWrite, "batch", "jobs"), R("update", "batch", "cronjobs/status cronjobs/finalizers"),
            R("list delete", "core", "pods"), Events,
        ]),
        ("daemon-set-controller",
        [
            R(Read, "apps", "daemonsets"), R("update", "apps", "daemonsets/status daemonsets/finalizers"), R(Read, "core", "nodes"),
            R("list watch create delete patch", "core", "pods"), R("create", "core", "pods/binding"), R(ReadWrite, "apps", "controllerrevisions"), Events,
        ]),
        ("deployment-controller",
        [
            R("get list watch update", "apps", "deployments"), R("update", "apps", "deployments/status deployments/finalizers"),
            R(ReadWrite, "apps", "replicasets"), R("get list watch update", "core", "pods"), Events,
        ]),
        ("disruption-controller",
        [
            R(Read, "apps", "deployments replicasets statefulsets"), R(Read, "core", "replicationcontrollers"), R(Read, "policy", "poddisruptionbudgets"),
            R("update", "policy", "poddisruptionbudgets/status"), R("get", "*", "*/scale"), R("patch update", "core", "pods/status"), Events,
        ]),
        ("endpoint-controller",
        [
            R(Read, "core", "services pods"), R("get list create update delete", "core", "endpoints"), R("create", "core", "endpoints/restricted"), Events,
        ]),
        ("endpointslice-controller",
        [
            R(Read, "core", "services pods nodes"), R("get list create update delete", "discovery.k8s.io", "endpointslices"),
            R("update", "core", "services/finalizers"), Events,
        ]),
        ("generic-garbage-collector", [R("get list watch patch update delete", "*", "*"), Events]),
        ("job-controller",
        [
            R("get list watch update patch", "batch", "jobs"), R("update patch", "batch", "jobs/status"), R("update", "batch", "jobs/finalizers"),
            R("list watch create delete patch", "core", "pods"), Events,
        ]),
        ("namespace-controller",
        [
            R("get list watch delete", "core", "namespaces"), R("update", "core", "namespaces/finalize namespaces/status"), R("get list delete deletecollection", "*", "*"),
        ]),
        ("node-controller",
        [
            R("get list update delete patch", "core", "nodes"), R("patch update", "core", "nodes/status"), R("update", "core", "pods/status"),
            R("list delete", "core", "pods"), Events,
        ]),
        ("persistent-volume-binder",
        [
            R("get list watch update create delete", "core", "persistentvolumes"), R("update", "core", "persistentvolumes/status"),
            R("get list watch update", "core", "persistentvolumeclaims"), R("update", "core", "persistentvolumeclaims/status"),
            R("list watch get create delete", "core", "pods"), R(Read, "storage.k8s.io", "storageclasses"), Events,
        ]),
        ("replicaset-controller",
        [
            R("get list watch update", "apps", "replicasets"), R("update", "apps", "replicasets/status replicasets/finalizers"),
            R("list watch patch create delete", "core", "pods"), Events,
        ]),
        ("replication-controller",
        [
            R("get list watch update", "core", "replicationcontrollers"), R("update", "core", "replicationcontrollers/status replicationcontrollers/finalizers"),
            R("list watch patch create delete", "core", "pods"), Events,
        ]),
        ("resourcequota-controller", [R("list watch", "*", "*"), R("update", "core", "resourcequotas/status"), Events]),
        ("service-account-controller", [R("create", "core", "serviceaccounts"), Events]),
        ("statefulset-controller",
        [
            R("list watch", "core", "pods"), R(Read, "apps", "statefulsets"), R("update", "apps", "statefulsets/status statefulsets/finalizers"),
            R("get create delete update patch", "core", "pods"), R(ReadWrite, "apps", "controllerrevisions"),
            R("get create", "core", "persistentvolumeclaims"), R("update delete", "core", "persistentvolumeclaims"), Events,
        ]),
        ("taint-eviction-controller", [R(Read, "core", "nodes"), R("get list watch delete", "core", "pods"), R("patch", "core", "pods/status"), Events]),
        ("ttl-after-finished-controller", [R("get list watch delete", "batch", "jobs"), Events]),
    ];

    private static readonly (string Key, string Value)[] NoLabels = [];

    private static readonly ClusterRoleSpec[] Declared =
    [
        new("cluster-admin", [R("*", "*", "*"), U("*", "*")], NoLabels),
        new("system:discovery", [U("get", "/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz /version /version/")], NoLabels),
        new("system:monitoring", [U("get", "/metrics /metrics/slis /livez /readyz /healthz /livez/* /readyz/* /healthz/*")], NoLabels),
        new("system:basic-user",
            [R("create", "authorization.k8s.io", "selfsubjectaccessreviews selfsubjectrulesreviews"), R("create", "authentication.k8s.io", "selfsubjectreviews")], NoLabels),
        new("system:public-info-viewer", [U("get", "/healthz /livez /readyz /version /version/")], NoLabels),
        new("admin", [], NoLabels, AggregateToAdmin),
        new("edit", [], [(AggregateToAdmin, "true")], AggregateToEdit),
        new("view", [], [(AggregateToEdit, "true")], AggregateToView),
        new("system:aggregate-to-admin",
            [R(ReadWrite, "rbac.authorization.k8s.io", "roles rolebindings"), R("create", "authorization.k8s.io", "localsubjectaccessreviews")],
            [(AggregateToAdmin, "true")]),
        new("system:aggregate-to-edit",
        [
            R(Read, "core", "pods/attach pods/proxy pods/exec pods/portforward secrets services/proxy"),
            R("impersonate", "core", "serviceaccounts"),
            R(Write, "core", "pods pods/attach pods/proxy pods/exec pods/portforward"),
            R("create", "core", "pods/eviction"),
            R(Write, "core", "replicationcontrollers replicationcontrollers/scale serviceaccounts services services/proxy persistentvolumeclaims configmaps secrets events"),
            R("create", "core", "serviceaccounts/token"),
            R(Write, "apps", "statefulsets statefulsets/scale daemonsets deployments deployments/scale deployments/rollback replicasets replicasets/scale"),
            R(Write, "autoscaling", "horizontalpodautoscalers"),
            R(Write, "batch", "jobs cronjobs"),
            R(Write, "extensions", "daemonsets deployments deployments/scale deployments/rollback ingresses replicasets replicasets/scale replicationcontrollers/scale networkpolicies"),
            R(Write, "policy", "poddisruptionbudgets"),
            R(Write, "networking.k8s.io", "networkpolicies ingresses"),
            R(ReadWrite, "coordination.k8s.io", "leases"),
        ], [(AggregateToEdit, "true")]),
        new("system:aggregate-to-view",
        [
            R(Read, "core", "pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status endpoints persistentvolumeclaims persistentvolumeclaims/status configmaps"),
            R(Read, "core", "limitranges resourcequotas bindings events pods/status resourcequotas/status namespaces/status replicationcontrollers/status pods/log"),
            R(Read, "core", "namespaces"),
            R(Read, "discovery.k8s.io", "endpointslices"),
            R(Read, "apps", "controllerrevisions statefulsets statefulsets/status statefulsets/scale daemonsets daemonsets/status deployments deployments/status deployments/scale replicasets replicasets/status replicasets/scale"),
            R(Read, "autoscaling", "horizontalpodautoscalers horizontalpodautoscalers/status"),
            R(Read, "batch", "jobs cronjobs cronjobs/status jobs/status"),
            R(Read, "extensions", "daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status replicasets replicasets/scale replicasets/status replicationcontrollers/scale networkpolicies"),
            R(Read, "policy", "poddisruptionbudgets poddisruptionbudgets/status"),
            R(Read, "networking.k8s.io", "networkpolicies ingresses ingresses/status"),
        ], [(AggregateToView, "true")]),
        new("system:heapster", [R(Read, "core", "events pods nodes namespaces"), R(Read, "extensions apps", "deployments")], NoLabels),
        new("system:node",
        [
            R("create", "authentication.k8s.io", "tokenreviews"),
            R("create", "authorization.k8s.io", "subjectaccessreviews localsubjectaccessreviews"),
            R(Read, "core", "services"),
            R("create get list watch", "core", "nodes"),
            R("update patch", "core", "nodes/status nodes"),
            R("create update patch", "core", "events"),
            R(Read, "core", "pods"),
            R("create delete", "core", "pods"),
            R("update patch", "core", "pods/status"),
            R("create", "core", "pods/eviction"),
            R("get", "core", "secrets configmaps persistentvolumeclaims persistentvolumes endpoints"),
            R("update patch", "core", "persistentvolumeclaims/status"),
            R("create", "core", "serviceaccounts/token"),
            R("create get list watch", "certificates.k8s.io", "certificatesigningrequests"),
            R("get create update patch delete", "coordination.k8s.io", "leases"),
            R("get", "storage.k8s.io", "volumeattachments"),
            R(Read, "storage.k8s.io", "csidrivers"),
            R(Read + " create update patch delete", "storage.k8s.io", "csinodes"),
            R(Read, "node.k8s.io", "runtimeclasses"),
        ], NoLabels),
        new("system:node-problem-detector", [R("get", "core", "nodes"), R("patch", "core", "nodes/status"), Events], NoLabels),
        new("system:kubelet-api-admin",
            [R("get list watch proxy", "core", "nodes"), R("*", "core", "nodes/proxy nodes/metrics nodes/spec nodes/stats nodes/log")], NoLabels),
        new("system:node-bootstrapper", [R("create get list watch", "certificates.k8s.io", "certificatesigningrequests")], NoLabels),
        new("system:auth-delegator", [R("create", "authentication.k8s.io", "tokenreviews"), R("create", "authorization.k8s.io", "subjectaccessreviews")], NoLabels),
        new("system:kube-aggregator", [R(Read, "core", "endpoints services")], NoLabels),
        new("system:kube-controller-manager",
        [
            Events,
            R("create", "coordination.k8s.io", "leases"),
            N("get update", "coordination.k8s.io", "leases", "kube-controller-manager"),
            R("create", "core", "endpoints"),
            N("get update", "core", "endpoints", "kube-controller-manager"),
            R("create delete get update", "core", "secrets"),
            R("create get update", "core", "serviceaccounts"),
            R("get", "core", "configmaps namespaces"),
            R("create", "core", "serviceaccounts/token"),
            R("create", "authentication.k8s.io", "tokenreviews"),
            R("create", "authorization.k8s.io", "subjectaccessreviews"),
            R("list watch", "*", "*"),
        ], NoLabels),
        new("system:kube-dns", [R("list watch", "core", "endpoints services"), R("list watch", "discovery.k8s.io", "endpointslices")], NoLabels),
        new("system:persistent-volume-provisioner",
        [
            R("get list watch create delete", "core", "persistentvolumes"), R("get list watch update", "core", "persistentvolumeclaims"),
            R(Read, "storage.k8s.io", "storageclasses"), R("watch create update patch", "core", "events"),
        ], NoLabels),
        new("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [R("create", "certificates.k8s.io", "certificatesigningrequests/nodeclient")], NoLabels),
        new("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [R("create", "certificates.k8s.io", "certificatesigningrequests/selfnodeclient")], NoLabels),
        new("system:volume-scheduler",
            [R(Read + " update patch", "core", "persistentvolumes"), R(Read, "storage.k8s.io", "storageclasses"), R(Read + " update patch", "core", "persistentvolumeclaims")],
            NoLabels),
        Approver("legacy-unknown"),
        Approver("kubelet-serving"),
        Approver("kube-apiserver-client"),
        Approver("kube-apiserver-client-kubelet"),
        new("system:service-account-issuer-discovery",
            [U("get", "/.well-known/openid-configuration /.well-known/openid-configuration/ /openid/v1/jwks /openid/v1/jwks/")], NoLabels),
        new("system:node-proxier",
        [
            R(Read, "core", "services endpoints nodes"), R(Read, "discovery.k8s.io", "endpointslices"), Events,
        ], NoLabels),
        new("system:kube-scheduler",
        [
            Events,
            R("create", "coordination.k8s.io", "leases"),
            N("get update", "coordination.k8s.io", "leases", "kube-scheduler"),
            R(Read, "core", "nodes"),
            R(Read + " delete", "core", "pods"),
            R("create", "core", "pods/binding bindings"),
            R("patch update", "core", "pods/status"),
            R(Read, "core", "replicationcontrollers services namespaces persistentvolumeclaims persistentvolumes"),
            R(Read, "apps extensions", "replicasets"),
            R(Read, "apps", "statefulsets"),
            R(Read, "policy", "poddisruptionbudgets"),
            R(Read, "storage.k8s.io", "storageclasses csinodes csidrivers csistoragecapacities"),
            R("create", "authentication.k8s.io", "tokenreviews"),
            R("create", "authorization.k8s.io", "subjectaccessreviews"),
        ], NoLabels),
    ];

    /// <summary>Every bootstrap ClusterRole, the aggregated ones with their gathered rules.</summary>
    public static IReadOnlyList<ClusterRoleSpec> ClusterRoles { get; } = Aggregate(
        [.. Declared, .. Controllers.Select(c => new ClusterRoleSpec("system:controller:" + c.Account, c.Rules, NoLabels))]);

    /// <summary>Every bootstrap ClusterRoleBinding (and, with a namespace, RoleBinding).</summary>
    public static IReadOnlyList<BindingSpec> Bindings { get; } =
    [
        Cluster("cluster-admin", G("system:masters")),
        Cluster("system:monitoring", G("system:monitoring")),
        Cluster("system:discovery", G("system:authenticated")),
        Cluster("system:basic-user", G("system:authenticated")),
        Cluster("system:public-info-viewer", G("system:authenticated"), G("system:unauthenticated")),
        Cluster("system:node-proxier", new SubjectSpec("User", "system:kube-proxy")),
        Cluster("system:kube-controller-manager", new SubjectSpec("User", "system:kube-controller-manager")),
        Cluster("system:kube-dns", Sa("kube-dns")),
        Cluster("system:kube-scheduler", new SubjectSpec("User", "system:kube-scheduler")),
        Cluster("system:volume-scheduler", new SubjectSpec("User", "system:kube-scheduler")),
        // Upstream has bound no one to system:node since 1.8 (the Node authorizer decides for kubelets); the binding stays, empty.
        Cluster("system:node"),
        Cluster("system:service-account-issuer-discovery", G("system:serviceaccounts")),
        .. Controllers.Select(c => Cluster("system:controller:" + c.Account, Sa(c.Account))),
        new("system::extension-apiserver-authentication-reader", "Role", "extension-apiserver-authentication-reader",
            [new("User", "system:kube-controller-manager"), new("User", "system:kube-scheduler")], ControllerNamespace),
        new("system::leader-locking-kube-controller-manager", "Role", "system::leader-locking-kube-controller-manager",
            [new("User", "system:kube-controller-manager"), Sa("kube-controller-manager")], ControllerNamespace),
        new("system::leader-locking-kube-scheduler", "Role", "system::leader-locking-kube-scheduler",
            [new("User", "system:kube-scheduler"), Sa("kube-scheduler")], ControllerNamespace),
    ];

    /// <summary>Every bootstrap Role (namespace_policy.go).</summary>
    public static IReadOnlyList<RoleSpec> Roles { get; } =
    [
        new(ControllerNamespace, "extension-apiserver-authentication-reader", [N(Read, "core", "configmaps", "extension-apiserver-authentication")]),
        new(ControllerNamespace, "system::leader-locking-kube-controller-manager", [R("watch", "core", "configmaps"), N("get update", "core", "configmaps", "kube-controller-manager")]),
        new(ControllerNamespace, "system::leader-locking-kube-scheduler", [R("watch", "core", "configmaps"), N("get update", "core", "configmaps", "kube-scheduler")]),
    ];

    // Fills each aggregated role with the rules of the roles its label selects (sorted by name,
    // each rule once), repeated until nothing changes: edit gathers view, admin gathers edit.
    private static ClusterRoleSpec[] Aggregate(ClusterRoleSpec[] roles)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < roles.Length; i++)
            {
                if (roles[i].AggregatesLabel is not { } label)
                {
                    continue;
                }
                var gathered = new List<PolicyRule>();
                foreach (var source in roles.Where(r => r.Labels.Contains((label, "true"))).OrderBy(r => r.Name, StringComparer.Ordinal))
                {
                    gathered.AddRange(source.Rules.Where(rule => !gathered.Any(g => SameRule(g, rule))));
                }
                if (gathered.Count != roles[i].Rules.Length)
                {
                    roles[i] = roles[i] with { Rules = [.. gathered] };
                    changed = true;
                }
            }
        }
        return roles;
    }

    /// <summary>Whether two rules say the same (field by field, in order).</summary>
    public static bool SameRule(PolicyRule a, PolicyRule b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Verbs.SequenceEqual(b.Verbs) && a.ApiGroups.SequenceEqual(b.ApiGroups) && a.Resources.SequenceEqual(b.Resources)
            && a.ResourceNames.SequenceEqual(b.ResourceNames) && a.NonResourceUrls.SequenceEqual(b.NonResourceUrls);
    }

    private static ClusterRoleSpec Approver(string signer) => new(
        $"system:certificates.k8s.io:{signer}-approver",
        [N("approve", "certificates.k8s.io", "signers", "kubernetes.io/" + signer)], NoLabels);

    private static BindingSpec Cluster(string role, params SubjectSpec[] subjects) => new(role, "ClusterRole", role, subjects);

    private static SubjectSpec G(string group) => new("Group", group);

    private static SubjectSpec Sa(string name) => new("ServiceAccount", name, ControllerNamespace);

    private static PolicyRule R(string verbs, string groups, string resources) => new(Words(verbs), Groups(groups), Words(resources), [], []);

    private static PolicyRule N(string verbs, string groups, string resources, string name) => new(Words(verbs), Groups(groups), Words(resources), [name], []);

    private static string[] Groups(string groups) => Words(groups).Select(g => g == "core" ? "" : g).ToArray();

    private static PolicyRule U(string verbs, string urls) => new(Words(verbs), [], [], [], Words(urls));

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
