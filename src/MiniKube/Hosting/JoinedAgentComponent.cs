using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Logging;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Http;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Hosting;

/// <summary>How <c>mkube agent</c> reaches its server: the URL and, on the first start, the join token.</summary>
internal sealed record JoinSettings(string Server, string? Token);

/// <summary>
/// The kubelet of <c>mkube agent</c>. On first start it fetches the server's CA from /cacerts
/// and checks it against the hash in the join token before sending the token's secret (k3s'
/// K10 scheme), proves the secret works, and keeps the server, the CA and the secret in
/// <c>DATA_DIR/agent/credentials</c> (mode 0600), so a restart needs no token. A token that does
/// not match fails the agent with one clear line and registers nothing. The cluster settings the
/// server gave are kept too (<c>DATA_DIR/agent/cluster-settings.json</c>): an agent that starts
/// while its server cannot be reached runs from those, its stored credentials and certificates
/// (offline autonomy: its kubelet then runs its pods from their local copy). Once joined it is the
/// <see cref="IClusterAccess"/> of the process's other kubelets (<c>--simulate-nodes</c>) and of
/// the node's ingress data plane, which runs when the server's settings say the cluster runs one
/// (<see cref="Ingress"/>).
/// </summary>
internal sealed partial class JoinedAgentComponent(JoinSettings join, AgentSettings settings, TimeProvider time, ILoggerFactory loggers, ILogger<JoinedAgentComponent> logger) : IComponent, IClusterAccess
{
    private string? _secret;
    private X509Certificate2? _ca;
    private NodeCertificateSet? _certificates;
    private IngressSettings? _ingress;

    public string Name => "agent";

    public X509Certificate2 ClusterCa => _ca ?? throw new InvalidOperationException("the agent has not joined yet");

    /// <summary>
    /// What this node's ingress data plane runs with, from the server's settings: its ports, the
    /// same on every node; null when the cluster runs no ingress (<c>--disable ingress</c> on the server).
    /// Known once joined (the joined agent is ready).
    /// </summary>
    public IngressSettings? Ingress => _certificates is null ? throw new InvalidOperationException("the agent has not joined yet") : _ingress;

    /// <summary>The kubelet as the node (<c>system:node:NAME</c>), the service proxy as <c>system:kube-proxy</c>, the ingress data plane as <c>system:mkube:ingress:NAME</c>, each with the certificate the server signed for this agent.</summary>
    public KubernetesClientConfiguration ClientConfiguration(ComponentIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var certificates = _certificates ?? throw new InvalidOperationException("the agent has not joined yet");
        var client = identity.Role switch
        {
            ComponentRole.Kubelet when identity.NodeName == settings.ResolvedNodeName => certificates.Kubelet,
            ComponentRole.KubeProxy => certificates.Proxy,
            ComponentRole.Ingress when identity.NodeName == settings.ResolvedNodeName && certificates.Ingress is { } ingress => ingress,
            _ => throw new ArgumentOutOfRangeException(nameof(identity), identity, "an agent holds credentials for its kubelet, service proxy and (while the cluster runs it) ingress only"),
        };
        return ClusterAccessConfigurations.For(join.Server, ClusterCa, client);
    }

    /// <summary>Each simulated node's own client certificate, asked of the server like the agent's (kept in DATA_DIR/agent/simulated/NAME).</summary>
    public async Task<IReadOnlyList<KubernetesClientConfiguration>> SimulatedKubeletConfigurationsAsync(IReadOnlyList<string> nodeNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        var secret = _secret ?? throw new InvalidOperationException("the agent has not joined yet");
        var configurations = new List<KubernetesClientConfiguration>(nodeNames.Count);
        foreach (var name in nodeNames)
        {
            var client = await new NodeCertificates(Path.Combine(settings.DataDir, "agent", "simulated", name), time)
                .EnsureClientAsync(new Uri(join.Server), ClusterCa, secret, name, cancellationToken);
            configurations.Add(ClusterAccessConfigurations.For(join.Server, ClusterCa, client));
        }
        return configurations;
    }

    // With the join secret: only to prove it and to ask for the node's certificates.
    private KubernetesClientConfiguration TokenConfiguration() =>
        new() { Host = join.Server, SslCaCerts = [ClusterCa], AccessToken = _secret ?? throw new InvalidOperationException("the agent has not joined yet") };

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var credentials = Path.Combine(settings.DataDir, "agent", "credentials");
        var (caPem, secret) = join.Token is { } token
            ? await JoinAsync(token, credentials, stoppingToken)
            : Load(credentials);
        _ca = X509Certificate2.CreateFromPem(caPem);
        _secret = secret;
        var keptSettings = Path.Combine(settings.DataDir, "agent", "cluster-settings.json");
        AgentSettings shared;
        IngressPorts? ingressPorts;
        try
        {
            await VerifySecretAsync(TokenConfiguration(), stoppingToken);
            Save(credentials, caPem, secret);
            (shared, ingressPorts) = await ServerSettingsAsync(secret, keptSettings, stoppingToken);
        }
        catch (ServerUnreachableException e) when (File.Exists(keptSettings) && File.Exists(credentials))
        {
            // Joined before and the server is away: start from what it said last, so the pods run on.
            LogStartingOffline(join.Server, e.Message);
            (shared, ingressPorts) = ParseSettings(await File.ReadAllTextAsync(keptSettings, stoppingToken), keptSettings);
        }
        var nodeIp = settings.NodeIp ?? LocalAgentComponent.DetectNodeIp();
        var certificates = await new NodeCertificates(Path.Combine(settings.DataDir, "agent"), time)
            .EnsureAsync(new Uri(join.Server), _ca, secret, settings.ResolvedNodeName, nodeIp, ingressPorts is not null, stoppingToken);
        _ingress = ingressPorts is null ? null : new IngressSettings(settings.ResolvedNodeName, nodeIp, ingressPorts.HttpPort, ingressPorts.HttpsPort);
        _certificates = certificates;
        var serving = certificates.Serving;
        LogJoined(join.Server);
        await LocalAgentComponent.RunKubeletAsync(ClientConfiguration(ComponentIdentity.Kubelet(settings.ResolvedNodeName)), ClientConfiguration(ComponentIdentity.KubeProxy), _ca, shared, time, loggers, ready, stoppingToken, serving);
    }

    /// <summary>
    /// This node's settings with the cluster's pod range and DNS taken from the server (k3s'
    /// agents read /v1-k3s/config the same way), so pods on an agent get the cluster DNS address and
    /// domain the server was started with, and its rules the server's pod range; and the ingress
    /// data plane's ports, null when the cluster runs none.
    /// </summary>
    private async Task<(AgentSettings Settings, IngressPorts? Ingress)> ServerSettingsAsync(string secret, string keptSettings, CancellationToken cancellationToken)
    {
        using var http = NodeCertificates.JoinEndpointClient(ClusterCa, secret);
        string body;
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(join.Server), AgentConfig.Path), cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new JoinException($"{join.Server} refused the cluster settings agents share ({(int)response.StatusCode} at {AgentConfig.Path})");
            }
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            throw new ServerUnreachableException($"cannot reach {join.Server}: {e.Message}");
        }
        var parsed = ParseSettings(body, $"{join.Server}{AgentConfig.Path}");
        var temporary = keptSettings + ".tmp";
        await File.WriteAllTextAsync(temporary, body, cancellationToken);
        File.Move(temporary, keptSettings, overwrite: true);
        return parsed;
    }

    private (AgentSettings Settings, IngressPorts? Ingress) ParseSettings(string body, string source)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            json = null;
        }
        var config = (json is JsonObject settingsJson ? AgentConfig.FromJson(settingsJson) : null)
            ?? throw new JoinException($"cluster settings this agent cannot read at {source}");
        LogClusterSettings(config.ClusterCidr, config.ClusterDns, config.ClusterDomain, config.Ingress is null ? "off" : $"HTTP :{config.Ingress.HttpPort}, HTTPS :{config.Ingress.HttpsPort}");
        return (settings with { ClusterCidr = config.ClusterCidr, ClusterDns = config.ClusterDns, ClusterDomain = config.ClusterDomain }, config.Ingress);
    }

    /// <summary>Refused, reset or timed out: no answer from the server (not our own stop).</summary>
    private static bool Unreachable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task<(string CaPem, string Secret)> JoinAsync(string token, string credentials, CancellationToken cancellationToken)
    {
        var expected = JoinToken.CaHashOf(token)
            ?? throw new JoinException("the token has no CA hash (K10<hash>::server:<secret>); use the full token from the server's DATA_DIR/server/token");
        // Not verified yet on purpose: the hash below is what makes this CA trusted.
#pragma warning disable CA5359
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { Timeout = TimeSpan.FromSeconds(15) };
#pragma warning restore CA5359
        string caPem;
        try
        {
            caPem = await http.GetStringAsync(new Uri(new Uri(join.Server), "/cacerts"), cancellationToken);
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            // Joined before with this token's CA: the stored CA is the one the token names, so the agent may start offline.
            if (File.Exists(credentials) && Load(credentials) is var stored && JoinToken.CaHash(stored.CaPem) == expected)
            {
                return (stored.CaPem, JoinToken.SecretOf(token));
            }
            throw new ServerUnreachableException($"cannot reach {join.Server}: {e.Message}");
        }
        if (JoinToken.CaHash(caPem) != expected)
        {
            throw new JoinException($"the CA of {join.Server} does not match the join token: wrong token, or not the server it was made for");
        }
        return (caPem, JoinToken.SecretOf(token));
    }

    /// <summary>One authenticated request before registering anything, so a wrong secret fails here, clearly.</summary>
    private async Task VerifySecretAsync(KubernetesClientConfiguration config, CancellationToken cancellationToken)
    {
        using var client = new Kubernetes(config);
        try
        {
            await client.CoreV1.GetAPIResourcesAsync(cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new JoinException($"{join.Server} refused the join token (401 Unauthorized)");
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            throw new ServerUnreachableException($"cannot reach {join.Server}: {e.Message}");
        }
    }

    private static (string CaPem, string Secret) Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new JoinException("no --token given and no stored credentials in the data dir: join once with --token");
        }
        var text = File.ReadAllText(path);
        var split = text.IndexOf("\n---\n", StringComparison.Ordinal);
        return split < 0 ? throw new JoinException($"{path} is damaged; join again with --token") : (text[..split], text[(split + 5)..].Trim());
    }

    private static void Save(string path, string caPem, string secret)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, caPem.TrimEnd() + "\n---\n" + secret + "\n");
        File.Move(temp, path, overwrite: true);
    }

    [LoggerMessage(EventId = LogEvents.Host + 250, Level = LogLevel.Information, Message = "Joined {Server}")]
    private partial void LogJoined(string server);

    [LoggerMessage(EventId = LogEvents.Host + 252, Level = LogLevel.Warning, Message = "Server {Server} unreachable ({Reason}): starting from the stored credentials and cluster settings; pods run from the node's local copy until it is back")]
    private partial void LogStartingOffline(string server, string reason);

    [LoggerMessage(EventId = LogEvents.Host + 251, Level = LogLevel.Information, Message = "Cluster settings from the server: pod range {ClusterCidr}, cluster DNS {ClusterDns}, domain {ClusterDomain}, ingress {Ingress}")]
    private partial void LogClusterSettings(string clusterCidr, string clusterDns, string clusterDomain, string ingress);
}

/// <summary>The agent cannot join: a one-line reason for the operator.</summary>
internal class JoinException(string message) : IOException(message);

/// <summary>The server did not answer at all (refused, reset, timed out): an agent that joined before may start offline.</summary>
internal sealed class ServerUnreachableException(string message) : JoinException(message);
