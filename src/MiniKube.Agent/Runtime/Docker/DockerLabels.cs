
namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// The labels mkube puts on every Docker container it creates. They are the only state the
/// runtime keeps: after a restart the kubelet finds its sandboxes and containers (and which pod,
/// container and attempt each one is) by these labels alone. Docker's own containers and
/// anyone else's never carry <see cref="Managed"/>, so listings never see them. Its value is the
/// node that owns the container, so two nodes sharing one Docker engine (a server and an agent
/// on one machine) never see, adopt or clean up each other's pods.
/// </summary>
internal static class DockerLabels
{
    public const string Managed = "io.mkube.managed";
    public const string Sandbox = "io.mkube.sandbox";
    public const string SandboxId = "io.mkube.sandbox.id";
    public const string PodUid = "io.mkube.pod.uid";
    public const string PodNamespace = "io.mkube.pod.namespace";
    public const string PodName = "io.mkube.pod.name";
    public const string ContainerName = "io.mkube.container.name";
    public const string Attempt = "io.mkube.container.attempt";
    public const string Init = "io.mkube.container.init";
    public const string Ephemeral = "io.mkube.container.ephemeral";

    public static Dictionary<string, string> ForSandbox(SandboxConfig config, int attempt, string node) => new()
    {
        [Managed] = node,
        [Sandbox] = "true",
        [PodUid] = config.PodUid,
        [PodNamespace] = config.Namespace,
        [PodName] = config.PodName,
        [Attempt] = attempt.ToString(CultureInfo.InvariantCulture),
    };

    public static Dictionary<string, string> ForContainer(PodSandbox sandbox, ContainerConfig config, string node) => new()
    {
        [Ephemeral] = config.Ephemeral ? "true" : "false",
        [Managed] = node,
        [Sandbox] = "false",
        [SandboxId] = sandbox.Id,
        [PodUid] = sandbox.PodUid,
        [PodNamespace] = sandbox.Namespace,
        [PodName] = sandbox.PodName,
        [ContainerName] = config.Name,
        [Attempt] = config.Attempt.ToString(CultureInfo.InvariantCulture),
        [Init] = config.Init ? "true" : "false",
    };

    /// <summary>A Docker list filter on label values, e.g. <c>io.mkube.sandbox=true</c>.</summary>
    public static IDictionary<string, IDictionary<string, bool>> Filter(params (string Key, string Value)[] labels) =>
        new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = labels.ToDictionary(l => $"{l.Key}={l.Value}", _ => true),
        };

    public static string Get(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : "";

    public static int GetInt(IDictionary<string, string>? labels, string key) =>
        int.TryParse(Get(labels, key), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public static bool GetBool(IDictionary<string, string>? labels, string key) =>
        string.Equals(Get(labels, key), "true", StringComparison.Ordinal);
}
