using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of PersistentVolume, PersistentVolumeClaim and StorageClass (their print functions in
/// kubernetes pkg/printers/internalversion/printers.go, with the access-mode and class helpers
/// of pkg/apis/core/helper).
/// </summary>
internal static class StoragePrinters
{
    // Declared before the printers that use it: static initializers run in text order.
    private static readonly TableCell VolumeMode = TableCell.Text("VolumeMode", "Whether the volume is a filesystem or a raw block device.",
        obj => Cells.OrElse(JsonFields.String(obj, "spec", "volumeMode"), Cells.Unset), 1);

    public static TablePrinter PersistentVolume { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Capacity", "The storage capacity of the volume.", pv => Cells.OrElse(JsonFields.String(pv, "spec", "capacity", "storage"), "0")),
            TableCell.Text("Access Modes", "The ways the volume can be mounted.", pv => AccessModes(JsonFields.Array(pv, "spec", "accessModes"))),
            TableCell.Text("Reclaim Policy", "What happens to the volume when released from its claim.", pv => JsonFields.Text(pv, "spec", "persistentVolumeReclaimPolicy")),
            TableCell.Text("Status", "The phase of the volume.", Phase),
            TableCell.Text("Claim", "The claim bound to this volume.", pv => JsonFields.Object(pv, "spec", "claimRef") is { } claimRef
                ? JsonFields.Text(claimRef, "namespace") + "/" + JsonFields.Text(claimRef, "name")
                : ""),
            TableCell.Text("StorageClass", "StorageClass of the pv", ClassName),
            AttributesClass("VolumeAttributesClass of the pv"),
            TableCell.Text("Reason", "Why the volume is in its phase.", pv => JsonFields.Text(pv, "status", "reason")),
            TableCell.Age,
            VolumeMode,
        ]);

    // Capacity and modes are the bound volume's, so they show only once bound.
    public static TablePrinter PersistentVolumeClaim { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Status", "The phase of the claim.", Phase),
            TableCell.Text("Volume", "The volume bound to this claim.", pvc => JsonFields.Text(pvc, "spec", "volumeName")),
            TableCell.Text("Capacity", "The storage capacity of the bound volume.",
                pvc => IsBound(pvc) ? Cells.OrElse(JsonFields.String(pvc, "status", "capacity", "storage"), "0") : ""),
            TableCell.Text("Access Modes", "The ways the bound volume can be mounted.",
                pvc => IsBound(pvc) ? AccessModes(JsonFields.Array(pvc, "status", "accessModes")) : ""),
            TableCell.Text("StorageClass", "StorageClass of the pvc", ClassName),
            AttributesClass("VolumeAttributesClass of the pvc"),
            TableCell.Age,
            VolumeMode,
        ]);

    public static TablePrinter StorageClass { get; } = new(
        [
            new(TableColumn.ObjectName, (sc, _) => IsDefaultClass(sc) ? Cells.Name(sc) + " (default)" : Cells.Name(sc)),
            TableCell.Text("Provisioner", "The provisioner that creates volumes of this class.", sc => JsonFields.Text(sc, "provisioner")),
            TableCell.Text("ReclaimPolicy", "The reclaim policy of volumes of this class.", sc => Cells.OrElse(JsonFields.String(sc, "reclaimPolicy"), "Delete")),
            TableCell.Text("VolumeBindingMode", "When volumes of this class are bound and provisioned.", sc => Cells.OrElse(JsonFields.String(sc, "volumeBindingMode"), "Immediate")),
            new(TableColumn.Text("AllowVolumeExpansion", "Whether volumes of this class may be expanded."), (sc, _) => JsonFields.Boolean(sc, "allowVolumeExpansion") ?? false),
            TableCell.Age,
        ]);

    private static TableCell AttributesClass(string description) =>
        TableCell.Text("VolumeAttributesClass", description, obj => Cells.OrElse(JsonFields.String(obj, "spec", "volumeAttributesClassName"), Cells.Unset));

    private static bool IsBound(JsonObject pvc) => JsonFields.Text(pvc, "spec", "volumeName").Length > 0;

    private static string Phase(JsonObject obj) =>
        JsonFields.Get(obj, "metadata", "deletionTimestamp") is not null ? "Terminating" : JsonFields.Text(obj, "status", "phase");

    private static string ClassName(JsonObject obj) =>
        JsonFields.String(obj, "metadata", "annotations", StorageAnnotations.BetaStorageClass) ?? JsonFields.Text(obj, "spec", "storageClassName");

    private static bool IsDefaultClass(JsonObject sc) =>
        JsonFields.String(sc, "metadata", "annotations", StorageAnnotations.IsDefaultClass) == "true"
        || JsonFields.String(sc, "metadata", "annotations", StorageAnnotations.BetaIsDefaultClass) == "true";

    // Short forms in a fixed order, duplicates dropped (GetAccessModesAsString).
    private static string AccessModes(JsonArray? modes)
    {
        var present = (modes ?? []).Select(m => m?.ToString()).ToHashSet(StringComparer.Ordinal);
        var shortForms = new List<string>();
        foreach (var (mode, shortForm) in new[] { ("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP") })
        {
            if (present.Contains(mode))
            {
                shortForms.Add(shortForm);
            }
        }

        return string.Join(",", shortForms);
    }
}
