using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The field shape server-side apply and managedFields use for a resource: the model's for
/// built-in kinds, and for custom resources the one derived from their CRD version's schema (list
/// types, map types, atomic structs, preserved unknown fields), cached per CRD version.
/// </summary>
public static class FieldShapes
{
    public static IFieldShape For(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Custom is { } custom ? CustomResourceShapes.For(custom.Definition, custom.Version) : ModelShapes.Instance.For(type.Model);
    }
}
