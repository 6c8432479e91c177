using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Ingress;
using MiniKube.Controllers;
using MiniKube.Testing;
using static MiniKube.Addons.Tests.Ingress.IngressObjects;

namespace MiniKube.Addons.Tests.Ingress;

/// <summary>
/// The status writer in a controller manager, as in <c>mkube server</c>: the manager as
/// system:kube-controller-manager, the writer as its service account, the publication as
/// each node's own data plane user (system:mkube:ingress:NODE), so the bootstrap roles and the
/// ingress-node authorizer are what let each do its part.
/// </summary>
[Category("Integration")]
public sealed class IngressStatusControllerTests
{
    private TestApiServer _api = null!;
    private Kubernetes _admin = null!;
    private Kubernetes _manager = null!;
    private Kubernetes _dataPlane = null!;
    private Kubernetes _otherDataPlane = null!;
    private CancellationTokenSource _stop = null!;
    private Task _running = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _admin = _api.Client();
        _dataPlane = TestIdentities.Client(_api, MiniKube.Api.IngressNodeIdentity.UserName("node-a"), MiniKube.Api.IngressNodeIdentity.Group);
        _otherDataPlane = TestIdentities.Client(_api, MiniKube.Api.IngressNodeIdentity.UserName("node-b"), MiniKube.Api.IngressNodeIdentity.Group);
        var config = TestIdentities.Configuration(_api, _api.Pki.ControllerManager);
        _manager = new Kubernetes(config);
        _stop = new CancellationTokenSource();
        _running = new ControllerManager(_manager, new ControllerManagerOptions
        {
            ServiceAccountCredentials = config,
            Disabled = ControllerCatalog.All.Select(c => c.Name).ToHashSet(),
            Extra = [new("ingress-status", IngressStatusController.ServiceAccountName, c => new IngressStatusController(c))],
        }, NullLoggerFactory.Instance).RunAsync(_stop.Token);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _manager.Dispose();
        _dataPlane.Dispose();
        _otherDataPlane.Dispose();
        _admin.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task Run_DefaultClassMade_OurIngressesGetThePublishedNodeIps()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var mkubeClass = await EventuallyAsync(async () => (await _admin.NetworkingV1.ListIngressClassAsync(cancellationToken: timeout.Token)).Items.SingleOrDefault(), timeout.Token);
        await _admin.NetworkingV1.CreateIngressClassAsync(new V1IngressClass { Metadata = new V1ObjectMeta { Name = "other" }, Spec = new V1IngressClassSpec { Controller = "example.com/other" } }, cancellationToken: timeout.Token);
        await _admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "ours", Rule("a.test", Path("/", "Prefix", "web", 80))), "default", cancellationToken: timeout.Token);
        var theirs = NewIngress("default", "theirs", Rule("b.test", Path("/", "Prefix", "web", 80)));
        theirs.Spec.IngressClassName = "other";
        await _admin.NetworkingV1.CreateNamespacedIngressAsync(theirs, "default", cancellationToken: timeout.Token);

        await IngressNodes.PublishAsync(_otherDataPlane, "node-b", "10.0.0.2", 80, 443, timeout.Token);
        await IngressNodes.PublishAsync(_dataPlane, "node-a", "10.0.0.1", 80, 443, timeout.Token);
        var ours = await EventuallyAsync(async () =>
        {
            var ingress = await _admin.NetworkingV1.ReadNamespacedIngressAsync("ours", "default", cancellationToken: timeout.Token);
            return ingress.Status?.LoadBalancer?.Ingress?.Count == 2 ? ingress : null;
        }, timeout.Token);
        await IngressNodes.WithdrawAsync(_otherDataPlane, "node-b", timeout.Token);
        var afterWithdraw = await EventuallyAsync(async () =>
        {
            var ingress = await _admin.NetworkingV1.ReadNamespacedIngressAsync("ours", "default", cancellationToken: timeout.Token);
            return ingress.Status?.LoadBalancer?.Ingress?.Count == 1 ? ingress : null;
        }, timeout.Token);
        var other = await _admin.NetworkingV1.ReadNamespacedIngressAsync("theirs", "default", cancellationToken: timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(mkubeClass.Name(), Is.EqualTo("mkube"));
            Assert.That(mkubeClass.Spec.Controller, Is.EqualTo(MkubeIngressClass.Controller));
            Assert.That(mkubeClass.Metadata.Annotations["ingressclass.kubernetes.io/is-default-class"], Is.EqualTo("true"));
            Assert.That(ours.Status.LoadBalancer.Ingress.Select(i => i.Ip), Is.EqualTo(new[] { "10.0.0.1", "10.0.0.2" }));
            Assert.That(afterWithdraw.Status.LoadBalancer.Ingress.Select(i => i.Ip), Is.EqualTo(new[] { "10.0.0.1" }));
            Assert.That(other.Status?.LoadBalancer?.Ingress, Is.Null.Or.Empty, "another controller's Ingress is left alone");
        });
    }

    internal static async Task<T> EventuallyAsync<T>(Func<Task<T?>> read, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }
            await Task.Delay(50, cancellationToken);
        }
    }
}
