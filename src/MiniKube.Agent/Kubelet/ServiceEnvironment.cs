
namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The service environment variables every container starts with (pkg/kubelet/envvars and
/// kubelet_pods.go getServiceEnvVarMap): for default/kubernetes always, and for each Service of
/// the pod's namespace unless spec.enableServiceLinks is false, <c>NAME_SERVICE_HOST</c>,
/// <c>NAME_SERVICE_PORT</c>, one <c>NAME_SERVICE_PORT_PORTNAME</c> per named port and Docker's
/// link variables (<c>NAME_PORT</c>, <c>NAME_PORT_80_TCP…</c>). In-cluster clients find the API
/// through <c>KUBERNETES_SERVICE_HOST</c> and <c>KUBERNETES_SERVICE_PORT</c>.
/// The container's own variables override these.
/// </summary>
internal static class ServiceEnvironment
{
    private const string DefaultNamespace = "default";
    private const string ApiServiceName = "kubernetes";

    public static Dictionary<string, string> For(V1Pod pod, IEnumerable<V1Service> services)
    {
        var links = pod.Spec.EnableServiceLinks != false;
        var ns = pod.Namespace();
        var chosen = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        foreach (var service in services.Where(HasClusterIp))
        {
            var name = service.Name();
            if (service.Namespace() == DefaultNamespace && name == ApiServiceName)
            {
                chosen.TryAdd(name, service);
            }
            else if (service.Namespace() == ns && links)
            {
                chosen[name] = service;
            }
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in chosen.Values)
        {
            Add(env, service);
        }
        return env;
    }

    private static void Add(Dictionary<string, string> env, V1Service service)
    {
        var prefix = VariableName(service.Name());
        var ip = service.Spec.ClusterIP;
        var ports = service.Spec.Ports ?? [];
        env[prefix + "_SERVICE_HOST"] = ip;
        env[prefix + "_SERVICE_PORT"] = Text(ports[0].Port);
        foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
        {
            env[prefix + "_SERVICE_PORT_" + VariableName(port.Name)] = Text(port.Port);
        }
        for (var i = 0; i < ports.Count; i++)
        {
            var protocol = ports[i].Protocol is { Length: > 0 } p ? p : "TCP";
            var url = $"{protocol.ToLowerInvariant()}://{HostPort(ip, ports[i].Port)}";
            if (i == 0)
            {
                env[prefix + "_PORT"] = url;
            }
            var portPrefix = $"{prefix}_PORT_{Text(ports[i].Port)}_{protocol.ToUpperInvariant()}";
            env[portPrefix] = url;
            env[portPrefix + "_PROTO"] = protocol.ToLowerInvariant();
            env[portPrefix + "_PORT"] = Text(ports[i].Port);
            env[portPrefix + "_ADDR"] = ip;
        }
    }

    private static bool HasClusterIp(V1Service service) =>
        service.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None" && service.Spec.Ports is { Count: > 0 };

    private static string VariableName(string name) => name.ToUpperInvariant().Replace('-', '_');

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string HostPort(string ip, int port) => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{Text(port)}" : $"{ip}:{Text(port)}";
}
