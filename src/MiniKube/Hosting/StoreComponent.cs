using Microsoft.Extensions.Logging;
using MiniKube.Storage;
using MiniKube.Storage.Embedded;

namespace MiniKube.Hosting;

/// <summary>
/// Hosts the cluster's store: opens the embedded store in <c>DATA_DIR/server/db</c>, is ready
/// once recovery is done, and fails the process if the store fails (it then refuses writes, so
/// nothing can go on). Later components get the store from <see cref="Store"/> once ready.
/// </summary>
internal sealed class StoreComponent(string dataDir, ILoggerFactory loggers) : IComponent
{
    private EmbeddedStore? _store;

    public string Name => "store";

    /// <summary>The open store; only valid after this component is ready.</summary>
    public IStore Store => _store ?? throw new InvalidOperationException("the store is not open yet");

    public static string StoreDirectory(string dataDir) => Path.Combine(dataDir, "server", "db");

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var options = new EmbeddedStoreOptions { Directory = StoreDirectory(dataDir) };
        await using var store = await EmbeddedStore.OpenAsync(options, loggers.CreateLogger("MiniKube.Storage"), stoppingToken);
        _store = store;
        ready.Set();
        await store.Failed.WaitAsync(stoppingToken);
    }
}
