using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// The strategy of every built-in kind, configured in one place: its name rule, defaulting
/// function, checks, and whether it owns .status, tracks generation and returns the deleted
/// object (upstream's strategy.go files for most kinds do little more). Kinds with behaviour of
/// their own are instances of a class that overrides the rest (<see cref="PodStrategy"/>,
/// <see cref="NamespaceStrategy"/>, <see cref="ServiceStrategy"/>, …); kinds without any rules
/// use <see cref="ResourceStrategy.Plain"/>. The catalog assigns these to its entries.
/// </summary>
public static class BuiltInStrategies
{
    public static ResourceStrategy Namespace { get; } = new NamespaceStrategy
    {
        Names = NameRules.DnsLabel,
        Defaults = CoreDefaults.Namespace,
        CreateChecks = OtherValidation.Namespace,
        UpdateChecks = (_, _, _) => { },
        OwnsStatus = true,
    };

    public static ResourceStrategy Pod { get; } = new PodStrategy
    {
        Defaults = PodDefaults.Apply,
        CreateChecks = PodValidation.Validate,
        UpdateChecks = PodValidation.ValidateUpdate,
        OwnsStatus = true,
        ReturnsDeletedObject = true,
    };

    public static ResourceStrategy Node { get; } = new()
    {
        Defaults = CoreDefaults.Node,
        CreateChecks = OtherValidation.Node,
        UpdateChecks = OtherValidation.NodeUpdate,
        OwnsStatus = true,
    };

    public static ResourceStrategy Service { get; } = new ServiceStrategy
    {
        Names = NameRules.Dns1035Label,
        Defaults = CoreDefaults.Service,
        CreateChecks = ServiceValidation.Validate,
        UpdateChecks = ServiceValidation.ValidateUpdate,
        OwnsStatus = true,
        ReturnsDeletedObject = true,
    };

    public static ResourceStrategy Endpoints { get; } = new() { Defaults = CoreDefaults.Endpoints };

    public static ResourceStrategy ConfigMap { get; } = new()
    {
        CreateChecks = ConfigValidation.ConfigMap,
        UpdateChecks = ConfigValidation.ConfigMapUpdate,
    };

    public static ResourceStrategy Secret { get; } = new SecretStrategy
    {
        CreateChecks = ConfigValidation.Secret,
        UpdateChecks = ConfigValidation.SecretUpdate,
    };

    public static ResourceStrategy ServiceAccount { get; } = new() { ReturnsDeletedObject = true };

    public static ResourceStrategy Event { get; } = new() { CreateChecks = OtherValidation.Event };

    public static ResourceStrategy ReplicationController { get; } = new()
    {
        Defaults = WorkloadDefaults.ReplicationController,
        CreateChecks = WorkloadValidation.ReplicationController,
        OwnsStatus = true,
        TracksGeneration = true,
    };

    public static ResourceStrategy PersistentVolume { get; } = new()
    {
        Defaults = CoreDefaults.PersistentVolume,
        OwnsStatus = true,
        ReturnsDeletedObject = true,
    };

    public static ResourceStrategy PersistentVolumeClaim { get; } = new PersistentVolumeClaimStrategy
    {
        Defaults = CoreDefaults.PersistentVolumeClaim,
        CreateChecks = OtherValidation.PersistentVolumeClaim,
        UpdateChecks = OtherValidation.PersistentVolumeClaimUpdate,
        OwnsStatus = true,
        ReturnsDeletedObject = true,
    };

    public static ResourceStrategy Deployment { get; } = AppsWorkload(WorkloadDefaults.Deployment, WorkloadValidation.Deployment);

    public static ResourceStrategy ReplicaSet { get; } = AppsWorkload(WorkloadDefaults.ReplicaSet, WorkloadValidation.ReplicaSet);

    public static ResourceStrategy StatefulSet { get; } = new()
    {
        Defaults = WorkloadDefaults.StatefulSet,
        CreateChecks = WorkloadValidation.StatefulSet,
        UpdateChecks = WorkloadValidation.StatefulSetUpdate,
        OwnsStatus = true,
        TracksGeneration = true,
    };

    public static ResourceStrategy DaemonSet { get; } = AppsWorkload(WorkloadDefaults.DaemonSet, WorkloadValidation.DaemonSet);

    public static ResourceStrategy Job { get; } = new JobStrategy
    {
        Defaults = WorkloadDefaults.Job,
        CreateChecks = BatchValidation.Job,
        UpdateChecks = BatchValidation.JobUpdate,
        OwnsStatus = true,
        TracksGeneration = true,
    };

    public static ResourceStrategy CronJob { get; } = new()
    {
        Defaults = WorkloadDefaults.CronJob,
        CreateChecks = BatchValidation.CronJob,
        UpdateChecks = BatchValidation.CronJobUpdate,
        OwnsStatus = true,
        TracksGeneration = true,
    };

    public static ResourceStrategy Lease { get; } = new() { CreateChecks = OtherValidation.Lease };

    public static ResourceStrategy EndpointSlice { get; } = new() { Defaults = CoreDefaults.EndpointSlice };

    public static ResourceStrategy PodDisruptionBudget { get; } = new()
    {
        CreateChecks = OtherValidation.PodDisruptionBudget,
        OwnsStatus = true,
        TracksGeneration = true,
    };

    public static ResourceStrategy StorageClass { get; } = new()
    {
        Defaults = obj =>
        {
            obj.DefaultString("reclaimPolicy", "Delete");
            obj.DefaultString("volumeBindingMode", "Immediate");
        },
        CreateChecks = OtherValidation.StorageClass,
        UpdateChecks = OtherValidation.StorageClassUpdate,
        ReturnsDeletedObject = true,
    };

    public static ResourceStrategy PodTemplate { get; } = new()
    {
        Defaults = obj =>
        {
            if (obj["template"] is JsonObject template)
            {
                PodSpecDefaults.Apply(template.Ensure("spec"));
            }
        },
        CreateChecks = ClusterKindsValidation.PodTemplate,
    };

    /// <summary>Events written through events.k8s.io/v1: the stricter rules of that version, on the stored core form.</summary>
    public static ResourceStrategy EventsV1Event { get; } = new()
    {
        CreateChecks = EventsValidation.Create,
        UpdateChecks = EventsValidation.Update,
    };

    public static ResourceStrategy Ingress { get; } = new IngressStrategy
    {
        CreateChecks = NetworkingValidation.Ingress,
        OwnsStatus = true,
        TracksGeneration = true,
    };

    public static ResourceStrategy IngressClass { get; } = new()
    {
        Defaults = GroupDefaults.IngressClass,
        CreateChecks = NetworkingValidation.IngressClass,
        UpdateChecks = NetworkingValidation.IngressClassUpdate,
    };

    public static ResourceStrategy NetworkPolicy { get; } = new()
    {
        Defaults = GroupDefaults.NetworkPolicy,
        CreateChecks = NetworkingValidation.NetworkPolicy,
        TracksGeneration = true,
    };

    public static ResourceStrategy HorizontalPodAutoscaler { get; } = new()
    {
        Defaults = GroupDefaults.HorizontalPodAutoscaler,
        CreateChecks = AutoscalingValidation.HorizontalPodAutoscaler,
        OwnsStatus = true,
    };

    public static ResourceStrategy RuntimeClass { get; } = new()
    {
        CreateChecks = ClusterKindsValidation.RuntimeClass,
        UpdateChecks = ClusterKindsValidation.RuntimeClassUpdate,
    };

    /// <summary>pkg/registry/scheduling/priorityclass strategy.go: generation 1 from the create on (there is no spec to count).</summary>
    public static ResourceStrategy PriorityClass { get; } = new PriorityClassStrategy
    {
        Defaults = SchedulingValidation.Defaults,
        CreateChecks = SchedulingValidation.PriorityClass,
        UpdateChecks = SchedulingValidation.PriorityClassUpdate,
        TracksGeneration = true,
    };

    /// <summary>pkg/registry/rbac/role strategy.go: names are path segments, the rules validated (escalation is checked by the RBAC admission step).</summary>
    public static ResourceStrategy Role { get; } = new() { Names = NameRules.PathSegment, CreateChecks = RbacValidation.Role };

    /// <summary>pkg/registry/rbac/clusterrole strategy.go.</summary>
    public static ResourceStrategy ClusterRole { get; } = new() { Names = NameRules.PathSegment, CreateChecks = RbacValidation.ClusterRole };

    /// <summary>pkg/registry/rbac/rolebinding strategy.go: the roleRef may not change.</summary>
    public static ResourceStrategy RoleBinding { get; } = RbacBinding(RbacValidation.RoleBinding, RbacValidation.RoleBindingUpdate);

    /// <summary>pkg/registry/rbac/clusterrolebinding strategy.go.</summary>
    public static ResourceStrategy ClusterRoleBinding { get; } = RbacBinding(RbacValidation.ClusterRoleBinding, RbacValidation.ClusterRoleBindingUpdate);

    public static ResourceStrategy CsiDriver { get; } = new()
    {
        Defaults = GroupDefaults.CsiDriver,
        CreateChecks = ClusterKindsValidation.CsiDriver,
        UpdateChecks = ClusterKindsValidation.CsiDriverUpdate,
    };

    public static ResourceStrategy CsiNode { get; } = new()
    {
        CreateChecks = ClusterKindsValidation.CsiNode,
        UpdateChecks = ClusterKindsValidation.CsiNodeUpdate,
    };

    public static ResourceStrategy VolumeAttachment { get; } = new()
    {
        CreateChecks = ClusterKindsValidation.VolumeAttachment,
        UpdateChecks = ClusterKindsValidation.VolumeAttachmentUpdate,
        OwnsStatus = true,
    };

    /// <summary>pkg/registry/core/resourcequota: status (hard, used) only through /status, its amounts validated there too.</summary>
    public static ResourceStrategy ResourceQuota { get; } = new()
    {
        CreateChecks = QuotaValidation.ResourceQuota,
        StatusChecks = QuotaValidation.Status,
        OwnsStatus = true,
    };

    public static ResourceStrategy LimitRange { get; } = new() { CreateChecks = QuotaValidation.LimitRange };

    public static ResourceStrategy CustomResourceDefinition { get; } = new CustomResourceDefinitionStrategy { OwnsStatus = true, TracksGeneration = true };

    public static ResourceStrategy CertificateSigningRequest { get; } = new CertificateSigningRequestStrategy
    {
        // ValidateCertificateRequestName: any path segment, not only DNS names.
        Names = NameRules.PathSegment,
        Defaults = GroupDefaults.CertificateSigningRequest,
        CreateChecks = CertificatesValidation.CertificateSigningRequest,
        OwnsStatus = true,
    };

    public static ResourceStrategy ApiService { get; } = new ApiServiceStrategy
    {
        Defaults = ApiRegistrationValidation.Defaults,
        CreateChecks = ApiRegistrationValidation.ApiService,
        OwnsStatus = true,
    };
    private static ResourceStrategy RbacBinding(CreateCheck create, UpdateCheck update) =>
        new() { Names = NameRules.PathSegment, Defaults = RbacValidation.BindingDefaults, CreateChecks = create, UpdateChecks = update };

    // The apps/v1 strategies add the selector check after the kind's update validation.
    private static ResourceStrategy AppsWorkload(Action<System.Text.Json.Nodes.JsonObject> defaults, CreateCheck check) => new()
    {
        Defaults = defaults,
        CreateChecks = check,
        UpdateChecks = (obj, old, errors) =>
        {
            check(obj, errors);
            WorkloadValidation.ImmutableSelector(obj, old, errors);
        },
        OwnsStatus = true,
        TracksGeneration = true,
    };
}
