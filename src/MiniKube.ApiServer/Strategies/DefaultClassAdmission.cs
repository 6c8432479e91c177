namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// The shape both default-class admission plugins share (DefaultStorageClass for claims,
/// DefaultIngressClass for Ingresses): an object that names no class gets the default one among
/// the stored classes, when there is one.
/// </summary>
internal static class DefaultClassAdmission
{
    /// <param name="wants">True when the object names no class.</param>
    /// <param name="choose">The default class among the stored ones, or null.</param>
    /// <param name="apply">Writes the chosen class into the object.</param>
    public static async Task AdmitAsync(
        JsonObject obj, IStrategyContext context, (string Group, string Resource) classes,
        Func<JsonObject, bool> wants, Func<IEnumerable<JsonObject>, string?> choose, Action<JsonObject, string> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(context);
        if (!wants(obj))
        {
            return;
        }
        if (choose(await context.ListAsync(classes.Group, classes.Resource, cancellationToken)) is { } name)
        {
            apply(obj, name);
        }
    }
}
