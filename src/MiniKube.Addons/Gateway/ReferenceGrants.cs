namespace MiniKube.Addons.Gateway;

/// <summary>
/// Whether a cross-namespace reference is permitted (referencegrant_types.go): a ReferenceGrant
/// in the target's namespace must list the referring object's group, kind and namespace under
/// <c>from</c>, and the target's group and kind (and its name, when the entry names one) under
/// <c>to</c>. A reference within one namespace needs no grant.
/// </summary>
public sealed class ReferenceGrants(IReadOnlyList<ReferenceGrant> grants)
{
    public bool Permits(string targetNamespace, string fromGroup, string fromKind, string fromNamespace, string toGroup, string toKind, string toName)
    {
        if (targetNamespace == fromNamespace)
        {
            return true;
        }
        return grants.Any(grant => grant.Metadata.NamespaceProperty == targetNamespace && grant.Metadata.DeletionTimestamp is null
            && (grant.Spec.From ?? []).Any(f => f.Group == fromGroup && f.Kind == fromKind && f.Namespace == fromNamespace)
            && (grant.Spec.To ?? []).Any(t => (t.Group ?? "") == toGroup && t.Kind == toKind && (string.IsNullOrEmpty(t.Name) || t.Name == toName)));
    }
}
