using MiniKube.Controllers.NodeIpam;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary>
/// <c>mkube server --disable-agent --simulate-nodes 1</c> in process, with the scheduler, the
/// controller manager and the cluster DNS each under its own identity and RBAC role (never the
/// admin certificate): a Deployment's pods are made, scheduled and run, a namespace's deletion
/// completes, and each identity is held to its role.
/// </summary>
[TestFixture]
[TestOf(typeof(LocalClusterAccess))]
[Category("Integration")]
public sealed class LocalClusterAccessTests
{
    private ServerHost _server = null!;

    private Kubernetes Admin => _server.Admin;

    private IClusterAccess Cluster => _server.Host.Services.GetRequiredService<IClusterAccess>();

    [SetUp]
    public async Task SetUp() => _server = await ServerHost.StartAsync("mkube-identities-", (services, dataDir) => services
        .AddScheduler(disabled: false)
        .AddControllerManager(disabled: false, dataDir, new NodeIpamOptions(NodeIpamOptions.ParseCidrs(Defaults.ClusterCidr)), ingress: MiniKube.Addons.Gateway.GatewayPorts.Default)
        .AddClusterDns(new ClusterDnsSettings(Defaults.ClusterDns, Defaults.ClusterDomain, "test", "127.0.0.1") { Port = 0, ResolvConfPath = Path.Combine(dataDir, "resolv.conf") })
        .AddIngress(new IngressSettings("test", "127.0.0.1", 0, 0) { ListenAddress = IPAddress.Loopback })
        .AddSimulatedNodes(new SimulatedNodesSettings(1, "test", dataDir, "127.0.0.1")));

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    [Test]
    public async Task NodeIpam_AsTheNodeControllersAccount_GivesTheSimulatedNodeAPodCidr()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        V1Node? node;
        do
        {
            // The simulated node may not have registered yet.
            node = (await Admin.CoreV1.ListNodeAsync()).Items.SingleOrDefault();
            await Task.Delay(100);
        }
        while (node?.Spec?.PodCIDR is null && DateTime.UtcNow < deadline);

        Assert.That(node?.Spec?.PodCIDR, Does.Match(@"^10\.42\.\d+\.0/24$"));
        Assert.That(node!.Spec.PodCIDRs, Is.EqualTo(new[] { node.Spec.PodCIDR }));
    }

    [Test]
    public async Task Deployment_ControllersAndSchedulerUnderTheirOwnIdentities_PodsRunOnTheSimulatedNode()
    {
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), "default");

        IList<V1Pod> running = [];
        await ServerHost.WaitUntilAsync(async () =>
        {
            running = [.. (await Admin.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items.Where(p => p.Status?.Phase == "Running")];
            return running.Count == 2;
        });

        Assert.That(running.Select(p => p.Spec.NodeName), Is.All.EqualTo("test-sim-000"), "bound by the scheduler");
        // The replica set's pods came from the replicaset controller's own account, made on first use.
        var accounts = (await Admin.CoreV1.ListNamespacedServiceAccountAsync("kube-system")).Items.Select(a => a.Metadata.Name);
        Assert.That(accounts, Does.Contain("deployment-controller").And.Contain("replicaset-controller").And.Contain("service-account-controller"));
    }

    [Test]
    public async Task DeleteNamespace_NamespaceControllerUnderItsAccount_EmptiesAndRemovesIt()
    {
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "doomed" } });
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, "doomed");
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("api", 1), "doomed");
        await ServerHost.WaitUntilAsync(async () => (await Admin.CoreV1.ListNamespacedPodAsync("doomed")).Items.Count == 1);

        await Admin.CoreV1.DeleteNamespaceAsync("doomed");

        await ServerHost.WaitUntilAsync(async () =>
        {
            try
            {
                await Admin.CoreV1.ReadNamespaceAsync("doomed");
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        });
    }

    [Test]
    public async Task ClientConfiguration_EachComponent_AuthenticatesAsItsOwnUser()
    {
        var expected = new Dictionary<ComponentIdentity, string>
        {
            [ComponentIdentity.Scheduler] = "system:kube-scheduler",
            [ComponentIdentity.ControllerManager] = "system:kube-controller-manager",
            [ComponentIdentity.KubeProxy] = "system:kube-proxy",
            [ComponentIdentity.ClusterDns] = "system:mkube:cluster-dns",
            [ComponentIdentity.GatewayCrds] = "system:mkube:ingress",
            [ComponentIdentity.Ingress("node-x")] = "system:mkube:ingress:node-x",
            [ComponentIdentity.Metrics] = "system:mkube:metrics-server",
            [ComponentIdentity.Manifests] = "system:mkube:manifests",
        };
        foreach (var (identity, user) in expected)
        {
            using var client = new Kubernetes(Cluster.ClientConfiguration(identity));
            var review = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
            Assert.That(review.Status.UserInfo.Username, Is.EqualTo(user), identity.Role.ToString());
            Assert.That(review.Status.UserInfo.Groups, Does.Not.Contain("system:masters"), identity.Role.ToString());
        }
    }

    [Test]
    public async Task ClientConfiguration_Scheduler_IsRefusedListingSecrets()
    {
        using var scheduler = new Kubernetes(Cluster.ClientConfiguration(ComponentIdentity.Scheduler));

        var refused = Assert.ThrowsAsync<HttpOperationException>(() => scheduler.CoreV1.ListSecretForAllNamespacesAsync());

        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Response.Content, Does.Contain("""User \"system:kube-scheduler\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"""));
        // What its role does grant it.
        await scheduler.CoreV1.ListNodeAsync();
    }

    [Test]
    public async Task ClusterDns_UnderItsOwnIdentity_PublishesTheKubeDnsService()
    {
        V1Service? service = null;
        await ServerHost.WaitUntilAsync(async () =>
        {
            try
            {
                service = await Admin.CoreV1.ReadNamespacedServiceAsync("kube-dns", "kube-system");
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        });

        Assert.That(service!.Spec.ClusterIP, Is.EqualTo(Defaults.ClusterDns));
        using var dns = new Kubernetes(Cluster.ClientConfiguration(ComponentIdentity.ClusterDns));
        var refused = Assert.ThrowsAsync<HttpOperationException>(() => dns.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "elsewhere" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 53 }] } }, "default"));
        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "its write rights stop at kube-system");
    }

    [Test]
    public async Task Ingress_UnderItsOwnIdentity_PublishesItsNodeAndTheDefaultClassIsMade()
    {
        V1EndpointSlice? slice = null;
        await ServerHost.WaitUntilAsync(async () =>
        {
            var classes = await Admin.NetworkingV1.ListIngressClassAsync();
            slice = (await Admin.DiscoveryV1.ListNamespacedEndpointSliceAsync("kube-system", labelSelector: "kubernetes.io/service-name=mkube-ingress")).Items.SingleOrDefault();
            return slice is not null && classes.Items.Any(c => c.Name() == "mkube");
        });

        Assert.That(slice!.Endpoints.Single().Addresses, Is.EqualTo(new[] { "127.0.0.1" }));
        Assert.That(slice.Metadata.Name, Is.EqualTo("mkube-ingress-test"));
        using var ingress = new Kubernetes(Cluster.ClientConfiguration(ComponentIdentity.Ingress("test")));
        await ingress.CoreV1.ListSecretForAllNamespacesAsync();
        var others = Assert.ThrowsAsync<HttpOperationException>(() => ingress.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("mkube-ingress-other", "kube-system"));
        Assert.That(others!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "another node's slice is not its own");
        var refused = Assert.ThrowsAsync<HttpOperationException>(() => ingress.NetworkingV1.CreateIngressClassAsync(
            new V1IngressClass { Metadata = new V1ObjectMeta { Name = "mine" }, Spec = new V1IngressClassSpec { Controller = "x.io/y" } }));
        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the data plane only reads, and writes its own EndpointSlice");
    }

    private static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { TerminationGracePeriodSeconds = 1, Containers = [new V1Container { Name = "main", Image = "busybox", Command = ["sleep", "3600"] }] },
            },
        },
    };
}
