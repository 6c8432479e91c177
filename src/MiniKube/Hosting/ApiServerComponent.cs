using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Dashboard;
using MiniKube.ApiServer;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Encryption;
using MiniKube.ApiServer.Http;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Hosting;

/// <summary>
/// Hosts the API server: makes or loads the cluster certificates in <c>DATA_DIR/server/tls</c>
/// (renewing leaves that expire within 120 days, a warning logged first),
/// serves HTTPS on the configured address, and writes the admin kubeconfig once it listens.
/// </summary>
internal sealed partial class ApiServerComponent(ApiServerSettings settings, StoreComponent store, TimeProvider time, ILoggerFactory loggers, ILogger<ApiServerComponent> logger) : IComponent
{
    public string Name => "apiserver";

    /// <summary>Where the server listens; set once this component is ready.</summary>
    public Uri? Address { get; private set; }

    /// <summary>The cluster certificates; set once this component is ready.</summary>
    public ClusterPki? Pki { get; private set; }

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var pki = ClusterPki.LoadOrCreate(CertificateInventory.ServerDirectory(settings.DataDir), ServingNames(settings), time, logger);
        var token = JoinToken.LoadOrCreate(Path.Combine(settings.DataDir, "server", "token"), settings.Token, pki);
        var agentToken = JoinToken.WriteAgentToken(Path.Combine(settings.DataDir, "server", "agent-token"), settings.AgentToken, token, pki);
        var ports = settings.NodePortRange.Split('-');
        using var encryption = SecretsEncryption.LoadOrCreate(CredentialsDirectory(settings.DataDir), settings.SecretsEncryption, settings.SecretsEncryptionProvider, time, loggers.CreateLogger<SecretsEncryption>());
        if (encryption is not null)
        {
            // Servers over one datastore share one set of keys, sealed with the token's secret (as k3s).
            await encryption.ShareAsync(store.Store, JoinToken.SecretOf(token), stoppingToken);
        }
        var options = new ApiServerOptions
        {
            BindAddress = IPAddress.Parse(settings.BindAddress),
            Port = settings.Port,
            Pki = pki,
            KubernetesVersion = BuildInfo.KubernetesVersion,
            AdvertiseAddress = AdvertiseAddress(settings),
            ServiceCidr = settings.ServiceCidr,
            FirstNodePort = int.Parse(ports[0], System.Globalization.CultureInfo.InvariantCulture),
            LastNodePort = int.Parse(ports[1], System.Globalization.CultureInfo.InvariantCulture),
            // As k3s: the issuer names the in-cluster API, the key sits beside the certificates.
            ServiceAccounts = new()
            {
                Issuer = MiniKube.ApiServer.ServiceAccounts.ServiceAccountOptions.IssuerFor(settings.ClusterDomain),
                KeyFile = Path.Combine(settings.DataDir, "server", "tls", "service.key"),
                SealingSecret = JoinToken.SecretOf(token),
            },
            SecretsEncryption = encryption,
            EventTtl = settings.EventTtl,
            AgentConfig = settings.AgentConfig,
            // As in k3s, the tokens reach only the join and secrets-encrypt endpoints, never the API's objects.
            Tokens = JoinIdentities.Tokens(JoinToken.SecretOf(token), JoinToken.SecretOf(agentToken)),
            ResourceMetrics = settings.ResourceMetrics,
            // The dashboard's pages at /dashboard/ (unless --disable dashboard); its API calls come back as the signed-in user.
            Sites = settings.Dashboard ? [new PublicSite(DashboardSite.PathPrefix, new DashboardSite().HandleAsync)] : [],
        };
        await using var server = await KubeApiServer.StartAsync(options, store.Store, loggers, stoppingToken);
        var mode = (UnixFileMode)Convert.ToInt32(settings.KubeconfigMode, 8);
        Kubeconfig.Write(settings.KubeconfigPath, mode, server.Address, pki);
        var address = server.Address.ToString();
        LogListening(address, settings.KubeconfigPath);
        Address = server.Address;
        Pki = pki;
        ready.Set();
        await Task.Delay(Timeout.Infinite, stoppingToken);
    }

    /// <summary>The server's key material beside the certificates, as k3s' DATA_DIR/server/cred: the Secrets encryption configuration.</summary>
    public static string CredentialsDirectory(string dataDir) => Path.Combine(dataDir, "server", "cred");

    /// <summary>
    /// Where pods reach this API server (default/kubernetes' endpoint): --advertise-address, else
    /// the bind address unless it is a wildcard, else the node IP, as kube-apiserver picks it.
    /// </summary>
    private static string AdvertiseAddress(ApiServerSettings settings) =>
        settings.AdvertiseAddress
        ?? (settings.BindAddress is "0.0.0.0" or "::" ? settings.NodeIp ?? LocalAgentComponent.DetectNodeIp() : settings.BindAddress);

    /// <summary>Names the serving certificate carries: as k3s, the host's names and addresses plus the in-cluster service names.</summary>
    private static List<string> ServingNames(ApiServerSettings settings)
    {
        var names = new List<string>
        {
            "localhost", "127.0.0.1", "::1", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc." + settings.ClusterDomain, Dns.GetHostName().ToLowerInvariant(),
        };
        names.AddRange(NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.ToString()));
        if (settings.AdvertiseAddress is { } advertised)
        {
            names.Add(advertised);
        }
        // Pods reach the API at the default/kubernetes Service's IP (KUBERNETES_SERVICE_HOST), the
        // service range's first address, and in-cluster clients check the certificate against it.
        names.Add(KubernetesServiceIp(settings.ServiceCidr));
        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static string KubernetesServiceIp(string serviceCidr)
    {
        var bytes = IPNetwork.Parse(serviceCidr).BaseAddress.GetAddressBytes();
        bytes[^1]++;
        return new IPAddress(bytes).ToString();
    }

    [LoggerMessage(EventId = LogEvents.Host + 200, Level = LogLevel.Information, Message = "API server listening on {Address}; admin kubeconfig written to {Kubeconfig}")]
    private partial void LogListening(string address, string kubeconfig);
}

/// <summary>What the API server component needs from the server's flags.</summary>
internal sealed record ApiServerSettings(string DataDir, string BindAddress, int Port, string KubeconfigPath, string KubeconfigMode, string ClusterDomain, string? AdvertiseAddress, string? Token)
{
    public string ServiceCidr { get; init; } = Defaults.ServiceCidr;

    public string NodePortRange { get; init; } = Defaults.ServiceNodePortRange;

    /// <summary>The cluster settings joining agents read from this server (the pod range, the cluster DNS).</summary>
    public MiniKube.ApiServer.Http.AgentConfig? AgentConfig { get; init; }

    /// <summary>The local node's --node-ip, the advertised address when none is given.</summary>
    public string? NodeIp { get; init; }

    /// <summary>--secrets-encryption: Secrets are sealed at rest.</summary>
    public bool SecretsEncryption { get; init; }

    /// <summary>--event-ttl: how long Events live after their last write.</summary>
    public TimeSpan EventTtl { get; init; } = Defaults.EventTtl;

    /// <summary>--agent-token: the secret agents (and only agents) join with; null: agents use the server token.</summary>
    public string? AgentToken { get; init; }

    /// <summary>Serves the web dashboard at /dashboard/ (off with --disable dashboard).</summary>
    public bool Dashboard { get; init; } = true;

    /// <summary>The cipher of the first key made (aescbc or secretbox).</summary>
    public string SecretsEncryptionProvider { get; init; } = Defaults.SecretsEncryptionProvider;

    /// <summary>The metrics add-on's figures, served as metrics.k8s.io; null with <c>--disable metrics</c>.</summary>
    public IResourceMetricsSource? ResourceMetrics { get; init; }
}
