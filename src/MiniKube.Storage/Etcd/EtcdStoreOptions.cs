namespace MiniKube.Storage.Etcd;

/// <summary>How to reach an external etcd v3 cluster (<c>--datastore-endpoint</c> and friends).</summary>
public sealed class EtcdStoreOptions
{
    /// <summary>Client URLs, e.g. <c>http://127.0.0.1:2379</c>; tried in turn when one is unreachable.</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>PEM CA bundle that signs the etcd server certificates (https endpoints).</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate and key, for etcd's client-cert authentication.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>How long one call may take before it is retried elsewhere.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a caller waits in all, across retries, before the store reports itself unavailable.</summary>
    public TimeSpan UnavailableAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the API server compacts etcd (<see cref="EtcdStore.CompactPeriodicallyAsync"/>): kube-apiserver's <c>--etcd-compaction-interval</c> default.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Parses <c>--datastore-endpoint</c>: comma-separated http(s) URLs.
    /// </summary>
    public static IReadOnlyList<Uri> ParseEndpoints(string endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(e => new Uri(e, UriKind.Absolute))
            .ToList();
    }
}
