using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// Writes <see cref="BootstrapPolicy"/> at every start and reconciles what is stored, as
/// kube-apiserver's rbac/bootstrap-roles post-start hook (pkg/registry/rbac/rest/storage_rbac.go
/// with pkg/registry/rbac/reconciliation): a missing object is created; an existing one gets the
/// labels, annotations, rules (the missing pieces, broken down as the coverage check finds them),
/// aggregationRule selectors and subjects it lacks — nothing is ever removed — unless it is
/// annotated <c>rbac.authorization.kubernetes.io/autoupdate: "false"</c>; a binding whose roleRef
/// differs is deleted and created again (roleRef is immutable). Idempotent, and safe when several
/// API servers start at once: creates that lose the race fall back to reconciling, updates are
/// compare-and-swaps.
/// </summary>
internal static class PolicyBootstrap
{
    private const string ApiVersion = "rbac.authorization.k8s.io/v1";

    public static async Task RunAsync(ResourceRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        // Each object is independent of the others (bindings may precede their roles), so all are
        // ensured at once: a first start writes about 70 objects, later ones read them.
        var work = new List<Task>();
        foreach (var role in BootstrapPolicy.ClusterRoles)
        {
            work.Add(EnsureAsync(registry, RbacFeed.Find("clusterroles"), null, ClusterRole(role), ReconcileRole, cancellationToken));
        }
        foreach (var role in BootstrapPolicy.Roles)
        {
            var obj = Object("Role", role.Name, role.Namespace);
            obj["rules"] = Rules(role.Rules);
            work.Add(EnsureAsync(registry, RbacFeed.Find("roles"), role.Namespace, obj, ReconcileRole, cancellationToken));
        }
        foreach (var binding in BootstrapPolicy.Bindings)
        {
            var ns = binding.Namespace.Length > 0 ? binding.Namespace : null;
            work.Add(EnsureAsync(registry, RbacFeed.Find(ns is null ? "clusterrolebindings" : "rolebindings"), ns, Binding(binding), ReconcileBinding, cancellationToken));
        }
        await Task.WhenAll(work);
    }

    /// <summary>The stored form of a bootstrap ClusterRole.</summary>
    public static JsonObject ClusterRole(BootstrapPolicy.ClusterRoleSpec role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var obj = Object("ClusterRole", role.Name, null);
        var labels = obj.Obj("metadata")!.Obj("labels")!;
        foreach (var (key, value) in role.Labels)
        {
            labels[key] = value;
        }
        obj["rules"] = Rules(role.Rules);
        if (role.AggregatesLabel is { } selected)
        {
            obj["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { [selected] = "true" } }),
            };
        }
        return obj;
    }

    private static JsonObject Binding(BootstrapPolicy.BindingSpec binding)
    {
        var obj = Object(binding.Namespace.Length > 0 ? "RoleBinding" : "ClusterRoleBinding", binding.Name, binding.Namespace.Length > 0 ? binding.Namespace : null);
        obj["roleRef"] = new JsonObject { ["apiGroup"] = RbacValidation.Group, ["kind"] = binding.RoleKind, ["name"] = binding.RoleName };
        if (binding.Subjects.Length > 0)
        {
            obj["subjects"] = new JsonArray(binding.Subjects.Select(s => (JsonNode?)Subject(s)).ToArray());
        }
        return obj;
    }

    private static JsonObject Subject(BootstrapPolicy.SubjectSpec subject)
    {
        var json = new JsonObject { ["kind"] = subject.Kind };
        if (subject.Kind != "ServiceAccount")
        {
            json["apiGroup"] = RbacValidation.Group;
        }
        json["name"] = subject.Name;
        if (subject.Namespace.Length > 0)
        {
            json["namespace"] = subject.Namespace;
        }
        return json;
    }

    private static JsonObject Object(string kind, string name, string? ns)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        metadata["labels"] = new JsonObject { [BootstrapPolicy.BootstrappingLabel] = "rbac-defaults" };
        metadata["annotations"] = new JsonObject { [BootstrapPolicy.AutoUpdateAnnotation] = "true" };
        return new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = kind, ["metadata"] = metadata };
    }

    private static JsonArray Rules(IEnumerable<PolicyRule> rules) => new(rules.Select(r => (JsonNode?)r.ToJson()).ToArray());

    // Creates the object, or reconciles the stored one; retried when another server wrote it meanwhile.
    private static async Task EnsureAsync(ResourceRegistry registry, ResourceType type, string? ns, JsonObject expected, Func<JsonObject, JsonObject, bool> reconcile, CancellationToken cancellationToken)
    {
        var name = ObjectMeta.Name(expected)!;
        var key = ResourceRegistry.Key(type, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (await registry.Store.GetAsync(key, 0, cancellationToken) is not { } kv)
                {
                    await registry.CreateAsync(type, ns, expected.DeepClone().AsObject(), dryRun: false, cancellationToken);
                    return;
                }
                var stored = ObjectCodec.Decode(kv.Value, kv.ModRevision);
                if (stored.Obj("metadata").Obj("annotations").Str(BootstrapPolicy.AutoUpdateAnnotation) == "false")
                {
                    return; // protected from reconciliation by its owner
                }
                if (expected["roleRef"] is { } roleRef && !JsonNode.DeepEquals(roleRef, stored["roleRef"]))
                {
                    // ReconcileRecreate: the roleRef cannot change, so the binding is replaced.
                    await registry.DeleteAsync(type, ns, name, new DeleteOptions(), cancellationToken);
                    continue;
                }
                if (!reconcile(stored.DeepClone().AsObject(), expected))
                {
                    return;
                }
                await registry.UpdateAsync(type, ns, name, null, current =>
                {
                    reconcile(current, expected);
                    return current;
                }, dryRun: false, cancellationToken);
                return;
            }
            catch (ApiException e) when (e.Reason is "AlreadyExists" or "NotFound" or "Conflict" && attempt < 10)
            {
                // Another API server created, replaced or updated it meanwhile: look again.
            }
        }
    }

    // computeReconciledRole without removing extra permissions: adds what the stored role lacks; true when it changed.
    private static bool ReconcileRole(JsonObject stored, JsonObject expected)
    {
        var changed = MergeMeta(stored, expected, "labels") | MergeMeta(stored, expected, "annotations");
        var missing = RuleCoverage.Uncovered(PolicyRule.ListFrom(stored), PolicyRule.ListFrom(expected));
        if (missing.Count > 0)
        {
            var rules = stored["rules"] as JsonArray ?? [];
            foreach (var rule in missing)
            {
                rules.Add(rule.ToJson());
            }
            stored["rules"] = rules;
            changed = true;
        }
        if (expected.Obj("aggregationRule") is { } aggregation)
        {
            if (stored.Obj("aggregationRule") is not { } current)
            {
                stored["aggregationRule"] = aggregation.DeepClone();
                return true;
            }
            var selectors = current.Arr("clusterRoleSelectors") ?? [];
            foreach (var selector in aggregation.Arr("clusterRoleSelectors") ?? [])
            {
                if (!selectors.Any(s => JsonNode.DeepEquals(s, selector)))
                {
                    selectors.Add(selector?.DeepClone());
                    changed = true;
                }
            }
            current["clusterRoleSelectors"] = selectors;
        }
        return changed;
    }

    // computeReconciledRoleBinding without removing extra subjects.
    private static bool ReconcileBinding(JsonObject stored, JsonObject expected)
    {
        var changed = MergeMeta(stored, expected, "labels") | MergeMeta(stored, expected, "annotations");
        var subjects = stored["subjects"] as JsonArray ?? [];
        foreach (var subject in expected.Arr("subjects") ?? [])
        {
            if (!subjects.Any(s => JsonNode.DeepEquals(s, subject)))
            {
                subjects.Add(subject?.DeepClone());
                changed = true;
            }
        }
        if (subjects.Count > 0)
        {
            stored["subjects"] = subjects;
        }
        return changed;
    }

    // Adds the expected labels or annotations the stored object lacks (existing values win).
    private static bool MergeMeta(JsonObject stored, JsonObject expected, string field)
    {
        var metadata = stored.Ensure("metadata");
        var changed = false;
        foreach (var (key, value) in expected.Obj("metadata").Obj(field) ?? [])
        {
            var map = metadata.Ensure(field);
            if (!map.ContainsKey(key))
            {
                map[key] = value?.DeepClone();
                changed = true;
            }
        }
        return changed;
    }
}
