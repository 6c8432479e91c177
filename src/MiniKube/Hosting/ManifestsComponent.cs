using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Manifests;

namespace MiniKube.Hosting;

/// <summary>
/// The auto-deploy manifests (k3s' deploy controller): applies the files of
/// DATA_DIR/server/manifests at start and whenever they change, and deletes what a removed file
/// made (<see cref="ManifestDeployer"/>). It acts as system:mkube:manifests, bound to
/// cluster-admin: the files may hold any object, RBAC and CRDs included, so no narrower role
/// would do; the name keeps its writes apart from the admin's in audit and managedFields.
/// Ready at once: like k3s, the server does not wait for the manifests, and a bad file never
/// stops it. Registered after the controller manager, so a file's workloads start as soon as
/// they are applied. <c>--disable manifests</c> leaves it out (the files are then left alone).
/// </summary>
internal sealed class ManifestsComponent(IClusterAccess cluster, ManifestsSettings settings, TimeProvider time, ILoggerFactory loggers) : IComponent
{
    public string Name => "manifests";

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        using var client = new Kubernetes(cluster.ClientConfiguration(ComponentIdentity.Manifests));
        var deployer = new ManifestDeployer(client, new ManifestOptions { Directory = settings.Directory, Server = settings.ServerName, Time = time },
            loggers.CreateLogger<ManifestDeployer>());
        ready.Set();
        await deployer.RunAsync(stoppingToken);
    }
}

/// <summary>Where the manifests are read (DATA_DIR/server/manifests) and the name this server writes on their records (its node name).</summary>
internal sealed record ManifestsSettings(string Directory, string ServerName)
{
    public static ManifestsSettings For(string dataDir, string serverName) => new(Path.Combine(dataDir, "server", "manifests"), serverName);
}
