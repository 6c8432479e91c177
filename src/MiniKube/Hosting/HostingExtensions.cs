using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Ingress;
using MiniKube.Addons.LocalPath;
using MiniKube.Addons.Metrics;
using MiniKube.Controllers;
using MiniKube.Controllers.NodeIpam;
using MiniKube.Controllers.NodeLifecycle;
using MiniKube.Scheduler;

namespace MiniKube.Hosting;

/// <summary>The <c>AddXxx()</c> building blocks every mode's host is made of.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// A host with nothing implicit: no appsettings.json, no DOTNET_ variables, no command-line
    /// provider (mkube's own layering of flags, environment and config file has already run).
    /// </summary>
    public static HostApplicationBuilder CreateBuilder() =>
        new(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });

    /// <summary>One log line per event on stderr, UTC timestamps, like k3s' journal output.</summary>
    public static IServiceCollection AddMkubeLogging(this IServiceCollection services, bool debug)
    {
        services.AddLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(debug ? LogLevel.Debug : LogLevel.Information);
            logging.AddFilter("Microsoft", debug ? LogLevel.Information : LogLevel.Warning);
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        return services;
    }

    /// <summary>
    /// The component runner and what it needs: SIGINT/SIGTERM stop the host, which stops the
    /// components in reverse order within <see cref="Defaults.ShutdownTimeout"/>.
    /// </summary>
    public static IServiceCollection AddComponentRunner(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ExitStatus>();
        services.Configure<HostOptions>(options => options.ShutdownTimeout = Defaults.ShutdownTimeout);
        services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        services.AddHostedService<ComponentRunner>();
        return services;
    }

    /// <summary>Adds a component; components start in the order they are added.</summary>
    public static IServiceCollection AddComponent<TComponent>(this IServiceCollection services)
        where TComponent : class, IComponent =>
        services.AddSingleton<IComponent, TComponent>();

    /// <inheritdoc cref="AddComponent{TComponent}(IServiceCollection)"/>
    public static IServiceCollection AddComponent(this IServiceCollection services, Func<IServiceProvider, IComponent> factory) =>
        services.AddSingleton(factory);

    /// <summary>Creates and locks <c>DATA_DIR/ROLE</c> before anything else runs.</summary>
    public static IServiceCollection AddDataDirectory(this IServiceCollection services, string dataDir, string role) =>
        services.AddComponent(sp => new DataDirectoryLock(dataDir, role, sp.GetRequiredService<ILogger<DataDirectoryLock>>()));

    /// <summary>The cluster store (embedded, or etcd when endpoints are given); add it after the data directory.</summary>
    internal static IServiceCollection AddStore(this IServiceCollection services, StoreSettings settings)
    {
        services.AddSingleton(sp => new StoreComponent(settings, sp.GetRequiredService<ILoggerFactory>()));
        return services.AddComponent(sp => sp.GetRequiredService<StoreComponent>());
    }

    /// <summary>On-demand (<c>mkube snapshot save</c>) and scheduled snapshots of the store; add it right after the store.</summary>
    internal static IServiceCollection AddSnapshots(this IServiceCollection services, SnapshotSettings settings) =>
        services.AddComponent(sp => ActivatorUtilities.CreateInstance<SnapshotComponent>(sp, settings));

    /// <summary>The API server over the store; add it after the store.</summary>
    internal static IServiceCollection AddApiServer(this IServiceCollection services, ApiServerSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<ApiServerComponent>();
        services.AddSingleton<IClusterAccess, LocalClusterAccess>();
        return services.AddComponent(sp => sp.GetRequiredService<ApiServerComponent>());
    }

    /// <summary>
    /// The Gateway API CRDs of the ingress add-on (or nothing when <paramref name="enabled"/> is
    /// false: --disable ingress); add it right after the API server, so every later component
    /// starts with them Established. <see cref="GatewayCrdsComponent"/> is also a service, for a
    /// component that awaits <see cref="GatewayCrdsComponent.Established"/>.
    /// </summary>
    internal static IServiceCollection AddGatewayCrds(this IServiceCollection services, bool enabled)
    {
        if (!enabled)
        {
            return services;
        }
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<GatewayCrdsComponent>(sp));
        return services.AddComponent(sp => sp.GetRequiredService<GatewayCrdsComponent>());
    }

    /// <summary>The scheduler, leader-elected on the kube-scheduler Lease; add it after the API server.</summary>
    internal static IServiceCollection AddScheduler(this IServiceCollection services, bool disabled) =>
        disabled ? services : services.AddComponent(sp => new LeaderElectedComponent("scheduler", "kube-scheduler", ComponentIdentity.Scheduler, sp.GetRequiredService<IClusterAccess>(),
            (client, leading) => new KubeScheduler(client, new SchedulerOptions(), sp.GetRequiredService<ILoggerFactory>()).RunAsync(leading),
            sp.GetRequiredService<ILoggerFactory>()));

    /// <summary>The controller manager, leader-elected on the kube-controller-manager Lease; add it after the API server.</summary>
    /// <remarks>The local-path provisioner (k3s' default StorageClass) runs with the controllers; its volumes live under DATA_DIR/storage on the nodes.</remarks>
    /// <remarks>Node IPAM gives each Node its podCIDR from <paramref name="nodeIpam"/>; <paramref name="disableServiceLb"/> (--disable servicelb) leaves out the service-lb controller, <paramref name="disableLocalStorage"/> (--disable local-storage) the provisioner.</remarks>
    /// <remarks>With <paramref name="ingress"/> (the data plane's ports), the ingress add-on's status writers (and default IngressClass and GatewayClass) run with the controllers.</remarks>
    internal static IServiceCollection AddControllerManager(this IServiceCollection services, bool disabled, string dataDir, NodeIpamOptions nodeIpam, bool disableServiceLb = false, bool disableLocalStorage = false, GatewayPorts? ingress = null, NodeLifecycleOptions? nodeLifecycle = null) =>
        disabled ? services : services.AddControllerManager(new ControllerManagerOptions
        {
            NodeLifecycle = nodeLifecycle ?? new(),
            Disabled = disableServiceLb ? new HashSet<string> { "service-lb" } : new HashSet<string>(),
            RootCaFile = Path.Combine(dataDir, "server", "tls", "server-ca.crt"),
            NodeIpam = nodeIpam,
            Extra =
            [
                .. disableLocalStorage ? Array.Empty<ControllerDescriptor>() : [new ControllerDescriptor("local-path-provisioner", LocalPathProvisioner.ServiceAccountName, c => new LocalPathProvisioner(c, new LocalPathOptions { StorageDirectory = Path.Combine(dataDir, "storage") }))],
                .. ingress is not null
                    ?
                    [
                        new ControllerDescriptor("ingress-status", IngressStatusController.ServiceAccountName, c => new IngressStatusController(c)),
                        new ControllerDescriptor("gateway-status", IngressStatusController.ServiceAccountName, c => new GatewayStatusController(c, ingress)),
                    ]
                    : Array.Empty<ControllerDescriptor>(),
            ],
        });

    /// <summary>
    /// The controller manager with <paramref name="options"/> (add-on controllers come in through
    /// <see cref="ControllerManagerOptions.Extra"/>), as system:kube-controller-manager with
    /// service-account credentials for its controllers (k3s' --use-service-account-credentials).
    /// </summary>
    internal static IServiceCollection AddControllerManager(this IServiceCollection services, ControllerManagerOptions options) =>
        services.AddComponent(sp =>
        {
            var cluster = sp.GetRequiredService<IClusterAccess>();
            return new LeaderElectedComponent("controller-manager", "kube-controller-manager", ComponentIdentity.ControllerManager, cluster,
                (client, leading) => new ControllerManager(client, options with { ServiceAccountCredentials = cluster.ClientConfiguration(ComponentIdentity.ControllerManager) }, sp.GetRequiredService<ILoggerFactory>()).RunAsync(leading),
                sp.GetRequiredService<ILoggerFactory>());
        });

    /// <summary>The cluster DNS (k3s' CoreDNS role) and its kube-dns Service; add it after the API server (or pass null: --disable-dns).</summary>
    internal static IServiceCollection AddClusterDns(this IServiceCollection services, ClusterDnsSettings? settings) =>
        settings is null ? services : services.AddComponent(sp => ActivatorUtilities.CreateInstance<ClusterDnsComponent>(sp, settings));

    /// <summary>The resource metrics add-on filling <paramref name="store"/>, which the API server serves; add it after the API server (or pass null: --disable metrics).</summary>
    internal static IServiceCollection AddResourceMetrics(this IServiceCollection services, MetricsStore? store, TimeSpan? resolution = null) =>
        store is null ? services : services.AddComponent(sp => ActivatorUtilities.CreateInstance<ResourceMetricsComponent>(sp, store, resolution ?? MetricsOptions.DefaultResolution));

    /// <summary>The auto-deploy manifests of DATA_DIR/server/manifests (or pass null: --disable manifests); add it after the API server.</summary>
    internal static IServiceCollection AddManifests(this IServiceCollection services, ManifestsSettings? settings) =>
        settings is null ? services : services.AddComponent(sp => ActivatorUtilities.CreateInstance<ManifestsComponent>(sp, settings));

    /// <summary>The ingress data plane on this server's node (or pass null: --disable ingress); add it after the API server.</summary>
    internal static IServiceCollection AddIngress(this IServiceCollection services, IngressSettings? settings) =>
        settings is null ? services : services.AddComponent(sp => ActivatorUtilities.CreateInstance<IngressComponent>(sp, new Func<IngressSettings?>(() => settings)));

    /// <summary>
    /// The ingress data plane on a joined agent's node, with the ports the server's settings give
    /// (none when the cluster runs no ingress); add it after <see cref="AddJoinedAgent"/>.
    /// </summary>
    internal static IServiceCollection AddAgentIngress(this IServiceCollection services) =>
        services.AddComponent(sp => ActivatorUtilities.CreateInstance<IngressComponent>(sp, new Func<IngressSettings?>(() => sp.GetRequiredService<JoinedAgentComponent>().Ingress)));

    /// <summary>The server's own kubelet, talking to the API server in this process; add it after the API server (or pass null: --disable-agent).</summary>
    internal static IServiceCollection AddLocalAgent(this IServiceCollection services, AgentSettings? settings)
    {
        if (settings is null)
        {
            return services;
        }
        services.AddSingleton(settings);
        return services.AddComponent<LocalAgentComponent>();
    }

    /// <summary>The kubelet of <c>mkube agent</c>, joining the server with the token (or stored credentials).</summary>
    internal static IServiceCollection AddJoinedAgent(this IServiceCollection services, JoinSettings join, AgentSettings settings)
    {
        services.AddSingleton(join);
        services.AddSingleton(settings);
        services.AddSingleton<JoinedAgentComponent>();
        services.AddSingleton<IClusterAccess>(sp => sp.GetRequiredService<JoinedAgentComponent>());
        return services.AddComponent(sp => sp.GetRequiredService<JoinedAgentComponent>());
    }

    /// <summary>
    /// <c>--simulate-nodes</c>: simulated nodes besides the process's own, talking to the API server
    /// the way its own kubelet does; add it after the API server or the joined agent (nothing when the count is 0).
    /// </summary>
    internal static IServiceCollection AddSimulatedNodes(this IServiceCollection services, SimulatedNodesSettings settings)
    {
        if (settings.Count == 0)
        {
            return services;
        }
        return services.AddComponent(sp => ActivatorUtilities.CreateInstance<SimulatedNodesComponent>(sp, settings));
    }

    /// <summary>Runs the host to its end and returns the process exit code.</summary>
    public static async Task<int> RunToExitCodeAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        // Read before running: RunAsync disposes the host and its services.
        var exitStatus = host.Services.GetRequiredService<ExitStatus>();
        await host.RunAsync(cancellationToken);
        return exitStatus.Code;
    }
}
