using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The field shape server-side apply and managedFields use for a resource: the model's for
/// built-in kinds. The one seam for custom resources: they get the shape deduced from the
/// objects themselves until a shape derived from <see cref="CustomResource.Schema"/> (list types,
/// map types, atomic structs) is plugged in here.
/// </summary>
public static class FieldShapes
{
    public static IFieldShape For(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Custom is null ? ModelShapes.Instance.For(type.Model) : DeducedShape.Instance;
    }
}
