using k8s.Models;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

public sealed class ServiceEnvironmentTests
{
    private static readonly V1Service Api = Service("default", "kubernetes", "10.43.0.1", new V1ServicePort { Name = "https", Port = 443, Protocol = "TCP" });

    private static V1Pod Pod(string ns, bool? links = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = ns },
        Spec = new V1PodSpec { EnableServiceLinks = links, Containers = [] },
    };

    private static V1Service Service(string ns, string name, string clusterIp, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, Ports = ports },
    };

    [Test]
    public void For_ServiceOfThePodsNamespace_HostPortNamedPortsAndDockerLinks()
    {
        var redis = Service("shop", "redis-main", "10.43.7.9",
            new V1ServicePort { Name = "client", Port = 6379 },
            new V1ServicePort { Name = "metrics-udp", Port = 9121, Protocol = "UDP" });

        var env = ServiceEnvironment.For(Pod("shop"), [Api, redis]);

        Assert.That(env, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "10.43.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
            ["KUBERNETES_SERVICE_PORT_HTTPS"] = "443",
            ["KUBERNETES_PORT"] = "tcp://10.43.0.1:443",
            ["KUBERNETES_PORT_443_TCP"] = "tcp://10.43.0.1:443",
            ["KUBERNETES_PORT_443_TCP_PROTO"] = "tcp",
            ["KUBERNETES_PORT_443_TCP_PORT"] = "443",
            ["KUBERNETES_PORT_443_TCP_ADDR"] = "10.43.0.1",
            ["REDIS_MAIN_SERVICE_HOST"] = "10.43.7.9",
            ["REDIS_MAIN_SERVICE_PORT"] = "6379",
            ["REDIS_MAIN_SERVICE_PORT_CLIENT"] = "6379",
            ["REDIS_MAIN_SERVICE_PORT_METRICS_UDP"] = "9121",
            ["REDIS_MAIN_PORT"] = "tcp://10.43.7.9:6379",
            ["REDIS_MAIN_PORT_6379_TCP"] = "tcp://10.43.7.9:6379",
            ["REDIS_MAIN_PORT_6379_TCP_PROTO"] = "tcp",
            ["REDIS_MAIN_PORT_6379_TCP_PORT"] = "6379",
            ["REDIS_MAIN_PORT_6379_TCP_ADDR"] = "10.43.7.9",
            ["REDIS_MAIN_PORT_9121_UDP"] = "udp://10.43.7.9:9121",
            ["REDIS_MAIN_PORT_9121_UDP_PROTO"] = "udp",
            ["REDIS_MAIN_PORT_9121_UDP_PORT"] = "9121",
            ["REDIS_MAIN_PORT_9121_UDP_ADDR"] = "10.43.7.9",
        }));
    }

    [Test]
    public void For_OtherNamespacesHeadlessAndLinksOff_OnlyTheApiService()
    {
        var elsewhere = Service("other", "db", "10.43.1.1", new V1ServicePort { Port = 5432 });
        var headless = Service("shop", "peers", "None", new V1ServicePort { Port = 7000 });
        var mine = Service("shop", "web", "10.43.2.2", new V1ServicePort { Port = 80 });

        var withLinks = ServiceEnvironment.For(Pod("shop"), [Api, elsewhere, headless, mine]);
        var withoutLinks = ServiceEnvironment.For(Pod("shop", links: false), [Api, elsewhere, headless, mine]);

        Assert.That(withLinks.Keys, Has.Some.StartsWith("WEB_").And.None.StartsWith("DB_").And.None.StartsWith("PEERS_"));
        Assert.That(withoutLinks.Keys, Has.All.StartsWith("KUBERNETES_"));
        Assert.That(withoutLinks["KUBERNETES_SERVICE_HOST"], Is.EqualTo("10.43.0.1"));
    }
}
