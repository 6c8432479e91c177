using System.Net;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer;
using MiniKube.ApiServer.Pki;
using MiniKube.Storage;
using MiniKube.Storage.Embedded;

namespace MiniKube.Testing;

/// <summary>
/// An in-process API server over an embedded store in its own temp dir, on a loopback port the
/// OS picks, with an admin kubeconfig and a KubernetesClient bound to it.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private TestApiServer(string directory, IStore store, KubeApiServer server, string kubeconfig, ClusterPki pki, TestApiServerExtras? extras)
    {
        Extras = extras;
        Pki = pki;
        Directory = directory;
        Store = store;
        Server = server;
        KubeconfigPath = kubeconfig;
    }

    public string Directory { get; }

    public IStore Store { get; private set; }

    public KubeApiServer Server { get; private set; }

    public string KubeconfigPath { get; }

    public ClusterPki Pki { get; }

    /// <summary>What this server was started with beyond the defaults (kept across restarts).</summary>
    public TestApiServerExtras? Extras { get; }

    public static async Task<TestApiServer> StartAsync(string? directory = null, TimeSpan? bookmarkInterval = null, TestApiServerExtras? extras = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("mkube-api-").FullName;
        var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(directory, "db") }, NullLogger.Instance, CancellationToken.None);
        var pki = ClusterPki.LoadOrCreate(Path.Combine(directory, "tls"), ["localhost", "127.0.0.1"], TimeProvider.System);
        var server = await KubeApiServer.StartAsync(Options(pki, bookmarkInterval, extras), store, NullLoggerFactory.Instance, CancellationToken.None);
        var kubeconfig = Path.Combine(directory, "kubeconfig");
        Kubeconfig.Write(kubeconfig, UnixFileMode.UserRead | UnixFileMode.UserWrite, server.Address, pki);
        return new TestApiServer(directory, store, server, kubeconfig, pki, extras);
    }

    public Kubernetes Client()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
        return new Kubernetes(config);
    }

    /// <summary>
    /// Another API server over the same store and cluster CA, as two kube-apiservers over one etcd
    /// (on its own port); the caller disposes it before this one.
    /// </summary>
    public Task<KubeApiServer> StartPeerAsync() =>
        KubeApiServer.StartAsync(Options(Pki, null, Extras), Store, NullLoggerFactory.Instance, CancellationToken.None);

    /// <summary>Stops and starts the server and store on the same directory (and port is new).</summary>
    public async Task<TestApiServer> RestartAsync()
    {
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        var restarted = await StartAsync(Directory, extras: Extras);
        return restarted;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Store.DisposeAsync();
    }

    public void DeleteDirectory() => System.IO.Directory.Delete(Directory, recursive: true);

    private static ApiServerOptions Options(ClusterPki pki, TimeSpan? bookmarkInterval, TestApiServerExtras? extras) => new()
    {
        ServiceAccounts = new() { Admission = extras?.ServiceAccountAdmission ?? false },
        SecretsEncryption = extras?.SecretsEncryption,
        Tokens = extras?.Tokens ?? new Dictionary<string, MiniKube.ApiServer.Auth.UserInfo>(),
        AgentConfig = extras?.AgentConfig,
        BindAddress = IPAddress.Loopback,
        Port = 0,
        Pki = pki,
        KubernetesVersion = "v1.32.0",
        BookmarkInterval = bookmarkInterval ?? TimeSpan.FromMinutes(1),
        ResourceMetrics = extras?.ResourceMetrics,
        Sites = extras?.Sites ?? [],
    };
}

/// <summary>Options a test server may add: Secrets encryption, bearer tokens for other identities, public sites (the dashboard).</summary>
/// <param name="ServiceAccountAdmission">
/// Runs the ServiceAccount admission plugin. Off by default: with no controller manager no
/// namespace gets its "default" ServiceAccount, and the plugin would refuse every pod.
/// </param>
/// <param name="ResourceMetrics">Serves metrics.k8s.io from this source (off by default, as with --disable metrics).</param>
public sealed record TestApiServerExtras(MiniKube.ApiServer.Encryption.SecretsEncryption? SecretsEncryption = null, IReadOnlyDictionary<string, MiniKube.ApiServer.Auth.UserInfo>? Tokens = null, bool ServiceAccountAdmission = false, MiniKube.ApiServer.Http.AgentConfig? AgentConfig = null, MiniKube.Api.IResourceMetricsSource? ResourceMetrics = null, IReadOnlyList<MiniKube.ApiServer.Http.PublicSite>? Sites = null);
