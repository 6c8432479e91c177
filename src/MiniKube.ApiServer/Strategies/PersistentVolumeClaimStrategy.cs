using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// PersistentVolumeClaims (pkg/registry/core/persistentvolumeclaim/strategy.go) plus the
/// DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault)
/// on create, over the classes in the store (there are few).
/// </summary>
public sealed class PersistentVolumeClaimStrategy : ResourceStrategy
{
    public PersistentVolumeClaimStrategy()
    {
        Defaults = CoreDefaults.PersistentVolumeClaim;
        CreateChecks = OtherValidation.PersistentVolumeClaim;
        UpdateChecks = OtherValidation.PersistentVolumeClaimUpdate;
        OwnsStatus = true;
        ReturnsDeletedObject = true;
    }

    public override async Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(context);
        if (!DefaultStorageClass.Wants(obj))
        {
            return;
        }
        var classes = await context.ListAsync("storage.k8s.io", "storageclasses", cancellationToken);
        if (DefaultStorageClass.Choose(classes) is { } name)
        {
            DefaultStorageClass.Apply(obj, name);
        }
    }
}
