using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of PersistentVolume, PersistentVolumeClaim and StorageClass (their print functions in
/// kubernetes pkg/printers/internalversion/printers.go, with the access-mode and class helpers
/// of pkg/apis/core/helper).
/// </summary>
internal static class StoragePrinters
{

    public static TablePrinter PersistentVolume { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Capacity", "The storage capacity of the volume."),
            TableColumn.Text("Access Modes", "The ways the volume can be mounted."),
            TableColumn.Text("Reclaim Policy", "What happens to the volume when released from its claim."),
            TableColumn.Text("Status", "The phase of the volume."),
            TableColumn.Text("Claim", "The claim bound to this volume."),
            TableColumn.Text("StorageClass", "StorageClass of the pv"),
            TableColumn.Text("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
            TableColumn.Text("Reason", "Why the volume is in its phase."),
            TableColumn.Age,
            TableColumn.Text("VolumeMode", "Whether the volume is a filesystem or a raw block device.", 1),
        ],
        (pv, now) =>
        {
            var claim = JsonFields.Object(pv, "spec", "claimRef") is { } claimRef
                ? JsonFields.Text(claimRef, "namespace") + "/" + JsonFields.Text(claimRef, "name")
                : "";
            return
            [
                Cells.Name(pv),
                Cells.OrElse(JsonFields.String(pv, "spec", "capacity", "storage"), "0"),
                AccessModes(JsonFields.Array(pv, "spec", "accessModes")),
                JsonFields.Text(pv, "spec", "persistentVolumeReclaimPolicy"),
                Phase(pv),
                claim,
                ClassName(pv),
                Cells.OrElse(JsonFields.String(pv, "spec", "volumeAttributesClassName"), Cells.Unset),
                JsonFields.Text(pv, "status", "reason"),
                Cells.Age(pv, now),
                Cells.OrElse(JsonFields.String(pv, "spec", "volumeMode"), Cells.Unset),
            ];
        });

    public static TablePrinter PersistentVolumeClaim { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Status", "The phase of the claim."),
            TableColumn.Text("Volume", "The volume bound to this claim."),
            TableColumn.Text("Capacity", "The storage capacity of the bound volume."),
            TableColumn.Text("Access Modes", "The ways the bound volume can be mounted."),
            TableColumn.Text("StorageClass", "StorageClass of the pvc"),
            TableColumn.Text("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
            TableColumn.Age,
            TableColumn.Text("VolumeMode", "Whether the volume is a filesystem or a raw block device.", 1),
        ],
        (pvc, now) =>
        {
            var volume = JsonFields.Text(pvc, "spec", "volumeName");
            // Capacity and modes are the bound volume's, so they show only once bound.
            var bound = volume.Length > 0;
            return
            [
                Cells.Name(pvc),
                Phase(pvc),
                volume,
                bound ? Cells.OrElse(JsonFields.String(pvc, "status", "capacity", "storage"), "0") : "",
                bound ? AccessModes(JsonFields.Array(pvc, "status", "accessModes")) : "",
                ClassName(pvc),
                Cells.OrElse(JsonFields.String(pvc, "spec", "volumeAttributesClassName"), Cells.Unset),
                Cells.Age(pvc, now),
                Cells.OrElse(JsonFields.String(pvc, "spec", "volumeMode"), Cells.Unset),
            ];
        });

    public static TablePrinter StorageClass { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Provisioner", "The provisioner that creates volumes of this class."),
            TableColumn.Text("ReclaimPolicy", "The reclaim policy of volumes of this class."),
            TableColumn.Text("VolumeBindingMode", "When volumes of this class are bound and provisioned."),
            TableColumn.Text("AllowVolumeExpansion", "Whether volumes of this class may be expanded."),
            TableColumn.Age,
        ],
        (sc, now) =>
        [
            IsDefaultClass(sc) ? Cells.Name(sc) + " (default)" : Cells.Name(sc),
            JsonFields.Text(sc, "provisioner"),
            Cells.OrElse(JsonFields.String(sc, "reclaimPolicy"), "Delete"),
            Cells.OrElse(JsonFields.String(sc, "volumeBindingMode"), "Immediate"),
            JsonFields.Boolean(sc, "allowVolumeExpansion") ?? false,
            Cells.Age(sc, now),
        ]);

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
