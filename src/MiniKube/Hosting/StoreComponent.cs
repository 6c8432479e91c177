using Microsoft.Extensions.Logging;
using MiniKube.Storage;
using MiniKube.Storage.Embedded;
using MiniKube.Storage.Etcd;

namespace MiniKube.Hosting;

/// <summary>
/// Hosts the cluster's store, chosen by endpoint as in k3s: none means the embedded store in
/// <c>DATA_DIR/server/db</c>; <c>http(s)://</c> endpoints mean an external etcd. Ready once the
/// store serves; an embedded store that fails stops the process (it refuses writes from then on,
/// so nothing could go on). Later components get the store from <see cref="Store"/>.
/// </summary>
internal sealed class StoreComponent(StoreSettings settings, ILoggerFactory loggers) : IComponent
{
    private IStore? _store;

    public string Name => "store";

    /// <summary>The open store; only valid after this component is ready.</summary>
    public IStore Store => _store ?? throw new InvalidOperationException("the store is not open yet");

    public static string StoreDirectory(string dataDir) => Path.Combine(dataDir, "server", "db");

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var logger = loggers.CreateLogger("MiniKube.Storage");
        if (settings.DatastoreEndpoint is { } endpoints)
        {
            var options = new EtcdStoreOptions
            {
                Endpoints = EtcdStoreOptions.ParseEndpoints(endpoints),
                CaFile = settings.CaFile,
                CertFile = settings.CertFile,
                KeyFile = settings.KeyFile,
            };
            await using var etcd = await EtcdStore.ConnectAsync(options, logger, stoppingToken);
            _store = etcd;
            ready.Set();
            // etcd keeps every revision unless its clients compact it, as kube-apiserver does.
            await etcd.CompactPeriodicallyAsync(options.CompactionInterval, stoppingToken);
            return;
        }

        // Lease renewals are heartbeats: acknowledged from memory, logged coalesced (Storage README).
        var embeddedOptions = new EmbeddedStoreOptions { Directory = StoreDirectory(settings.DataDir), IsHeartbeat = HeartbeatWrites.IsLeaseRenewal, MemoryBudget = settings.MemoryBudget };
        await using var embedded = await EmbeddedStore.OpenAsync(embeddedOptions, logger, stoppingToken);
        _store = embedded;
        ready.Set();
        await embedded.Failed.WaitAsync(stoppingToken);
    }
}

/// <summary>Which store to run: the data dir for the embedded one, or etcd endpoints and their TLS files.</summary>
internal sealed record StoreSettings(string DataDir, string? DatastoreEndpoint = null, string? CaFile = null, string? CertFile = null, string? KeyFile = null)
{
    /// <summary>The embedded store's memory budget for values (<c>--store-memory-budget</c>); 0: no limit.</summary>
    public long MemoryBudget { get; init; } = EmbeddedStoreOptions.DefaultMemoryBudget;
}
