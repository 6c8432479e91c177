using k8s.Models;

namespace MiniKube.Controllers.ClusterRoleAggregation;

/// <summary>
/// kube-controller-manager's <c>clusterrole-aggregation</c> controller
/// (pkg/controller/clusterroleaggregation): a ClusterRole with an aggregationRule gets as its
/// rules the union of the rules of every other ClusterRole one of its clusterRoleSelectors
/// matches, selectors in order, matching roles by name, each rule once, in first-seen order.
/// The rules are written by a forced server-side apply as <c>clusterrole-aggregation-controller</c>,
/// and only when they differ. Any ClusterRole change re-queues every aggregated role (the roles
/// are few, and which one a label change affects is not known).
/// </summary>
public sealed partial class ClusterRoleAggregationController : Controller<NamespacedName>
{
    /// <summary>The field manager of the rules this controller writes, upstream's.</summary>
    public const string FieldManager = "clusterrole-aggregation-controller";

    private readonly Informer<V1ClusterRole> _roles;

    public ClusterRoleAggregationController(ControllerContext context)
        : base(context, "clusterrole-aggregation", workers: 1)
    {
        _roles = context.Informers.For(KubeListWatches.ClusterRoles);
        _roles.AddHandler(_ =>
        {
            foreach (var role in _roles.List())
            {
                if (role.AggregationRule is not null)
                {
                    Queue.Add(new NamespacedName(role.Metadata.Name));
                }
            }
        });
    }

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var role = _roles.Get(key);
        if (role?.AggregationRule is not { } aggregation)
        {
            return;
        }
        var rules = new List<V1PolicyRule>();
        foreach (var clusterRoleSelector in aggregation.ClusterRoleSelectors ?? [])
        {
            LabelSelector selector;
            try
            {
                selector = LabelSelector.From(clusterRoleSelector);
            }
            catch (InvalidSelectorException e)
            {
                // Validation keeps such selectors out; one that got in waits for its role to change.
                LogBadSelector(key.Name, e.Message);
                return;
            }
            foreach (var source in _roles.List().Where(r => selector.Matches(r.Metadata.Labels)).OrderBy(r => r.Metadata.Name, StringComparer.Ordinal))
            {
                if (source.Metadata.Name == role.Metadata.Name)
                {
                    continue;
                }
                foreach (var rule in source.Rules ?? [])
                {
                    if (!rules.Any(known => SameRule(known, rule)))
                    {
                        rules.Add(rule);
                    }
                }
            }
        }
        var current = role.Rules ?? [];
        if (rules.Count == current.Count && rules.Zip(current).All(pair => SameRule(pair.First, pair.Second)))
        {
            return;
        }
        var apply = new V1ClusterRole
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "ClusterRole",
            Metadata = new V1ObjectMeta { Name = role.Metadata.Name },
            Rules = rules,
        };
        await Client.RbacAuthorizationV1.PatchClusterRoleAsync(
            new V1Patch(KubernetesJson.Serialize(apply), V1Patch.PatchType.ApplyPatch), role.Metadata.Name,
            fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        LogAggregated(role.Metadata.Name, rules.Count);
    }

    /// <summary>Semantic equality of two rules (apimachinery's equality.Semantic: a missing list equals an empty one).</summary>
    public static bool SameRule(V1PolicyRule a, V1PolicyRule b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Same(a.Verbs, b.Verbs) && Same(a.ApiGroups, b.ApiGroups) && Same(a.Resources, b.Resources)
            && Same(a.ResourceNames, b.ResourceNames) && Same(a.NonResourceURLs, b.NonResourceURLs);
    }

    private static bool Same(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? [], StringComparer.Ordinal);

    [LoggerMessage(EventId = LogEvents.Controllers + 800, Level = LogLevel.Information, Message = "Aggregated ClusterRole {Name}: {Rules} rules")]
    private partial void LogAggregated(string name, int rules);

    [LoggerMessage(EventId = LogEvents.Controllers + 801, Level = LogLevel.Warning, Message = "ClusterRole {Name} has an aggregation selector that cannot be read ({Error}); fix the role's aggregationRule")]
    private partial void LogBadSelector(string name, string error);
}
