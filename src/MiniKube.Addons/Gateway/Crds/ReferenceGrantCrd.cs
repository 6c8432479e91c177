using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;
using static MiniKube.Addons.Gateway.Crds.SharedTypes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// ReferenceGrant (upstream apis/v1beta1/referencegrant_types.go; v1beta1 is the standard
/// channel's only version): lets objects of the <c>from</c> kinds and namespaces refer to the
/// <c>to</c> kinds (optionally one name) in the grant's own namespace.
/// </summary>
internal static class ReferenceGrantCrd
{
    // Each side lists at most this many entries.
    private const int MaxEntries = 16;

    public static JsonObject Spec() => Object(
            ("from", Array(Object(("group", GroupName()), ("kind", KindName()), ("namespace", NamespaceName())).Required("group", "kind", "namespace"), MaxEntries)
                .MinItems(1)
                .Doc("The referring objects: group, kind and namespace.")),
            ("to", Array(Object(("group", GroupName()), ("kind", KindName()), ("name", ObjectName())).Required("group", "kind"), MaxEntries)
                .MinItems(1)
                .Doc("The referents in this namespace: group, kind and optionally a name (every object of the kind when unset).")))
        .Required("from", "to");
}
