using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// PersistentVolumeClaims (pkg/registry/core/persistentvolumeclaim/strategy.go) plus the
/// DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault)
/// on create, over the classes in the store (there are few).
/// </summary>
public sealed class PersistentVolumeClaimStrategy : ResourceStrategy
{
    public override Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken) =>
        DefaultClassAdmission.AdmitAsync(obj, context, ("storage.k8s.io", "storageclasses"), DefaultStorageClass.Wants, DefaultStorageClass.Choose,
            DefaultStorageClass.Apply, cancellationToken);
}
