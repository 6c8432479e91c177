using System.Collections.Concurrent;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.WatchCache;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// The RBAC objects in memory, indexed for the authorizer: roles and cluster roles by namespace
/// and name (their rules compiled once), and bindings by subject — user name (a service account
/// is its user name <c>system:serviceaccount:ns:name</c>) or group, with the binding's namespace
/// ("" for ClusterRoleBindings) — so a decision reads only the bindings that name the requester,
/// never all of them. Writers (an <see cref="ObjectFeed"/> through <see cref="RbacFeed"/>: the store's watch and this server's own
/// writes) are serialized and replace whole arrays; readers take no lock and see each
/// subject's bindings either before or after a change. Each object's revision is kept so an
/// older state never replaces a newer one that arrived first.
/// </summary>
internal sealed class RbacPolicy
{
    /// <summary>The four kinds, as <see cref="Apply"/> is told which one changed.</summary>
    public enum Kind
    {
        Role,
        ClusterRole,
        RoleBinding,
        ClusterRoleBinding,
    }

    private readonly ConcurrentDictionary<(string Namespace, string Name), PolicyRule[]> _roles = new();
    private readonly ConcurrentDictionary<string, PolicyRule[]> _clusterRoles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string User, string Namespace), BindingSubject[]> _byUser = new();
    private readonly ConcurrentDictionary<(string Group, string Namespace), BindingSubject[]> _byGroup = new();
    private readonly Dictionary<(Kind, string, string), Binding> _bindings = [];
    private readonly RevisionLedger<(Kind Kind, string Namespace, string Name)> _revisions;

    public RbacPolicy() => _revisions = new(Take);

    /// <summary>The rules of a Role in <paramref name="ns"/>; null when there is none.</summary>
    public PolicyRule[]? Role(string ns, string name) => _roles.TryGetValue((ns, name), out var rules) ? rules : null;

    /// <summary>The rules of a ClusterRole; null when there is none.</summary>
    public PolicyRule[]? ClusterRole(string name) => _clusterRoles.TryGetValue(name, out var rules) ? rules : null;

    /// <summary>The bindings that name user <paramref name="user"/> in <paramref name="ns"/> ("" for cluster bindings).</summary>
    public BindingSubject[]? ForUser(string user, string ns) => _byUser.TryGetValue((user, ns), out var found) ? found : null;

    /// <summary>The bindings that name group <paramref name="group"/> in <paramref name="ns"/>.</summary>
    public BindingSubject[]? ForGroup(string group, string ns) => _byGroup.TryGetValue((group, ns), out var found) ? found : null;

    /// <summary>
    /// Takes in one object's state at <paramref name="revision"/> (its deletion's when
    /// <paramref name="gone"/>), unless a newer state of it was taken in already.
    /// </summary>
    public void Apply(Kind kind, JsonObject obj, bool gone, long revision)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var ns = kind is Kind.Role or Kind.RoleBinding ? ObjectMeta.Namespace(obj) ?? "" : "";
        _revisions.Apply((kind, ns, ObjectMeta.Name(obj) ?? ""), obj, gone, revision);
    }

    /// <summary>Forgets every object of <paramref name="kind"/> not in <paramref name="present"/> (after a re-list at <paramref name="revision"/>).</summary>
    public void RetainOnly(Kind kind, IReadOnlySet<(string Namespace, string Name)> present, long revision)
    {
        ArgumentNullException.ThrowIfNull(present);
        _revisions.RetainOnly(k => k.Kind == kind, k => present.Contains((k.Namespace, k.Name)), revision);
    }

    // Called by the ledger, one at a time: the object's new state, null when it is gone.
    private void Take((Kind Kind, string Namespace, string Name) id, JsonObject? obj)
    {
        switch (id.Kind)
        {
            case Kind.Role when obj is null:
                _roles.TryRemove((id.Namespace, id.Name), out _);
                break;
            case Kind.Role:
                _roles[(id.Namespace, id.Name)] = PolicyRule.ListFrom(obj);
                break;
            case Kind.ClusterRole when obj is null:
                _clusterRoles.TryRemove(id.Name, out _);
                break;
            case Kind.ClusterRole:
                _clusterRoles[id.Name] = PolicyRule.ListFrom(obj);
                break;
            default:
                ReplaceBinding(id, obj is null ? null : Binding.From(obj, id.Kind == Kind.ClusterRoleBinding, id.Namespace, id.Name));
                break;
        }
    }

    // Called by the ledger, one at a time: removes the old binding's subjects from the index and adds the new one's.
    private void ReplaceBinding((Kind, string, string) id, Binding? binding)
    {
        if (_bindings.Remove(id, out var old))
        {
            foreach (var subject in old.Subjects)
            {
                Remove(subject.IsGroup ? _byGroup : _byUser, (subject.Name, old.Namespace), subject);
            }
        }
        if (binding is null)
        {
            return;
        }
        _bindings[id] = binding;
        foreach (var subject in binding.Subjects)
        {
            var index = subject.IsGroup ? _byGroup : _byUser;
            var key = (subject.Name, binding.Namespace);
            index[key] = index.TryGetValue(key, out var current) ? [.. current, subject] : [subject];
        }
    }

    private static void Remove(ConcurrentDictionary<(string, string), BindingSubject[]> index, (string, string) key, BindingSubject subject)
    {
        if (!index.TryGetValue(key, out var current))
        {
            return;
        }
        var kept = current.Where(s => !ReferenceEquals(s, subject)).ToArray();
        if (kept.Length == 0)
        {
            index.TryRemove(key, out _);
        }
        else
        {
            index[key] = kept;
        }
    }
}

/// <summary>
/// A RoleBinding or ClusterRoleBinding as the index holds it: where it applies ("" for the
/// cluster), the role it grants, and one entry per subject.
/// </summary>
internal sealed record Binding(string Namespace, string Name, bool IsCluster, string RoleKind, string RoleName)
{
    public IReadOnlyList<BindingSubject> Subjects { get; private set; } = [];

    public static Binding From(JsonObject obj, bool cluster, string ns, string name)
    {
        var roleRef = obj.Obj("roleRef");
        var binding = new Binding(ns, name, cluster, roleRef.StrOrEmpty("kind"), roleRef.StrOrEmpty("name"));
        var subjects = new List<BindingSubject>();
        foreach (var (_, subject) in obj.Items("subjects"))
        {
            var subjectName = subject.StrOrEmpty("name");
            switch (subject.StrOrEmpty("kind"))
            {
                case "User":
                    subjects.Add(new(binding, subjectName, IsGroup: false, Describe(binding, $"User {Quote(subjectName)}")));
                    break;
                case "Group":
                    subjects.Add(new(binding, subjectName, IsGroup: true, Describe(binding, $"Group {Quote(subjectName)}")));
                    break;
                case "ServiceAccount":
                    // appliesToUser: a RoleBinding's service account defaults to the binding's namespace.
                    var saNamespace = subject.StrOrEmpty("namespace") is { Length: > 0 } given ? given : ns;
                    if (saNamespace.Length > 0)
                    {
                        subjects.Add(new(binding, $"system:serviceaccount:{saNamespace}:{subjectName}", IsGroup: false,
                            Describe(binding, $"ServiceAccount {Quote(subjectName + "/" + saNamespace)}")));
                    }
                    break;
            }
        }
        binding.Subjects = subjects;
        return binding;
    }

    // The reason an Allow carries (rbac.go's authorizingVisitor with the binding describers).
    private static string Describe(Binding binding, string subject) => binding.IsCluster
        ? $"RBAC: allowed by ClusterRoleBinding {Quote(binding.Name)} of {binding.RoleKind} {Quote(binding.RoleName)} to {subject}"
        : $"RBAC: allowed by RoleBinding {Quote(binding.Name + "/" + binding.Namespace)} of {binding.RoleKind} {Quote(binding.RoleName)} to {subject}";

    private static string Quote(string value) => Errors.GoSyntax.Quote(value);
}

/// <summary>One subject of a binding: the user or group name it matches and the reason an Allow through it gives.</summary>
internal sealed record BindingSubject(Binding Binding, string Name, bool IsGroup, string AllowedReason);
