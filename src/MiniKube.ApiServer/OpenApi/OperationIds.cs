using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// kube-apiserver's operation ids and tags, e.g. <c>patchAppsV1NamespacedDeploymentScale</c>,
/// <c>listCoreV1PodForAllNamespaces</c> and tag <c>apps_v1</c>; client generators key on them.
/// </summary>
internal sealed class OperationIds
{
    private readonly string _groupVersion;
    private readonly string _scope;
    private readonly string _kind;

    /// <param name="scope">"Namespaced" for namespaced resources, "" otherwise.</param>
    public OperationIds(ResourceType resource, string scope)
    {
        _groupVersion = Pascal(GroupToken(resource.Group)) + Pascal(resource.Version);
        _scope = scope;
        _kind = resource.Kind;
    }

    public string For(string verb, string infix = "", bool allNamespaces = false, string suffix = "") =>
        allNamespaces
            ? $"{verb}{_groupVersion}{infix}{_kind}{suffix}ForAllNamespaces"
            : $"{verb}{_groupVersion}{infix}{_scope}{_kind}{suffix}";

    public static string Tag(string group, string version) => $"{GroupToken(group).Replace('.', '_')}_{version}";

    // core for the legacy group, the first DNS label otherwise (coordination.k8s.io -> coordination).
    private static string GroupToken(string group) => group.Length == 0 ? "core" : group.Split('.')[0];

    private static string Pascal(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
}
