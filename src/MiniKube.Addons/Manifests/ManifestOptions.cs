namespace MiniKube.Addons.Manifests;

/// <summary>Settings of the auto-deploy manifests add-on.</summary>
public sealed record ManifestOptions
{
    /// <summary>The field manager of every apply (what <c>metadata.managedFields</c> shows).</summary>
    public const string DefaultFieldManager = "mkube-manifests";

    /// <summary>The directory read: DATA_DIR/server/manifests (k3s: /var/lib/rancher/k3s/server/manifests).</summary>
    public required string Directory { get; init; }

    /// <summary>This server's name, written on each record, so a server removes only what its own directory made.</summary>
    public required string Server { get; init; }

    public string FieldManager { get; init; } = DefaultFieldManager;

    /// <summary>Between full passes when nothing changed: the safety net under the file watcher (k3s polls every 15 s, with no watcher).</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the directory must be quiet after a change before it is read, so a file being written is read whole.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The first wait before a pass with failures worth retrying (a namespace or kind not there yet, the API busy) runs again; doubled up to <see cref="Resync"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a pass that applied a CustomResourceDefinition waits for its kind to be served before leaving the custom resources to a retry.</summary>
    public TimeSpan KindWait { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
