namespace MiniKube.Addons.Manifests;

/// <summary>
/// One object a manifest declares, as the API names it: apiVersion, kind, namespace ("" for a
/// cluster-scoped object) and name. Two references to the same object in different versions of
/// its group are one object (<see cref="Key"/> leaves the version out), so moving a document from
/// v1beta1 to v1 does not delete what it made.
/// </summary>
public sealed record ManifestObjectRef(string ApiVersion, string Kind, string Namespace, string Name)
{
    /// <summary>The API group, "" for core.</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    /// <summary>The object's identity across versions of its group.</summary>
    public string Key => $"{Group}/{Kind}/{Namespace}/{Name}";

    /// <summary>How logs and events name it: <c>Deployment default/web</c>, <c>Namespace tools</c>.</summary>
    public override string ToString() => Namespace.Length == 0 ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
