using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary>
/// An <c>mkube server</c> host in process for a test: its own data dir, the store and the API
/// server on a port the OS picks, plus the components the test adds; the admin's client once
/// the kubeconfig is written. Disposing stops the host and deletes the data dir.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private ServerHost(string dataDir, IHost host, Kubernetes admin)
    {
        (DataDir, Host, Admin) = (dataDir, host, admin);
    }

    public string DataDir { get; }

    public IHost Host { get; }

    /// <summary>The admin kubeconfig's client: the test's hands.</summary>
    public Kubernetes Admin { get; }

    /// <summary>Starts a server host; <paramref name="components"/> adds what the test needs after the API server (it gets the data dir).</summary>
    /// <param name="settings">Changes to the API server's settings (e.g. a metrics source).</param>
    public static async Task<ServerHost> StartAsync(string prefix, Action<IServiceCollection, string> components, Func<ApiServerSettings, ApiServerSettings>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(components);
        var dataDir = Directory.CreateTempSubdirectory(prefix).FullName;
        var kubeconfig = Path.Combine(dataDir, "kubeconfig");
        var builder = HostingExtensions.CreateBuilder();
        builder.Services.AddLogging().AddComponentRunner()
            .AddDataDirectory(dataDir, "server")
            .AddStore(new StoreSettings(dataDir, null, null, null, null))
            .AddApiServer((settings ?? (s => s))(new ApiServerSettings(dataDir, "127.0.0.1", 0, kubeconfig, "0600", Defaults.ClusterDomain, null, null)));
        components(builder.Services, dataDir);
        var host = builder.Build();
        await host.StartAsync();
        await WaitUntilAsync(() => Task.FromResult(File.Exists(kubeconfig)));
        return new ServerHost(dataDir, host, new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after a minute.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Host.StopAsync();
        Host.Dispose();
        Directory.Delete(DataDir, recursive: true);
    }
}
