namespace MiniKube.Addons.LocalPath;

/// <summary>How the local-path provisioner names and places volumes (k3s' local-path-config).</summary>
public sealed record LocalPathOptions
{
    /// <summary>Where volumes live on every node; the host passes &lt;data-dir&gt;/storage.</summary>
    public string StorageDirectory { get; init; } = "/var/lib/mkube/storage";

    /// <summary>The StorageClass made at start, marked as the cluster's default.</summary>
    public string StorageClassName { get; init; } = "local-path";
}
