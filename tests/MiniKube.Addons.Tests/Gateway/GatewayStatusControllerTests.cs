using k8s;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Ingress;
using MiniKube.Controllers;
using MiniKube.Testing;
using static MiniKube.Addons.Tests.Gateway.GatewayObjects;
using static MiniKube.Addons.Tests.Ingress.IngressStatusControllerTests;

namespace MiniKube.Addons.Tests.Gateway;

/// <summary>
/// The Gateway API's status writer in a controller manager, as in <c>mkube server</c>: the
/// manager as system:kube-controller-manager, the writer as the ingress status account, the
/// publication as node-a's data plane user (system:mkube:ingress:node-a), so the bootstrap roles
/// and the ingress-node authorizer are what let each do its part.
/// </summary>
[Category("Integration")]
public sealed class GatewayStatusControllerTests
{
    private const string Group = "gateway.networking.k8s.io";

    private TestApiServer _api = null!;
    private Kubernetes _admin = null!;
    private Kubernetes _manager = null!;
    private Kubernetes _dataPlane = null!;
    private CancellationTokenSource _stop = null!;
    private Task _running = null!;
    private CollectingLoggerProvider _logs = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _admin = _api.Client();
        _dataPlane = TestIdentities.Client(_api, MiniKube.Api.IngressNodeIdentity.UserName("node-a"), MiniKube.Api.IngressNodeIdentity.Group);
        var config = TestIdentities.Configuration(_api, _api.Pki.ControllerManager);
        _manager = new Kubernetes(config);
        _stop = new CancellationTokenSource();
        _logs = new CollectingLoggerProvider();
        // Started before the CRDs exist, as when a server starts: the writer waits for the group.
        _running = new ControllerManager(_manager, new ControllerManagerOptions
        {
            ServiceAccountCredentials = config,
            Disabled = ControllerCatalog.All.Select(c => c.Name).ToHashSet(),
            Extra = [new("gateway-status", IngressStatusController.ServiceAccountName, c => new GatewayStatusController(c, GatewayPorts.Default))],
        }, new Microsoft.Extensions.Logging.LoggerFactory([_logs])).RunAsync(_stop.Token);
        await TestGatewayCrds.CreateAsync(_admin);
    }


    [TearDown]
    public async Task TearDownAsync()
    {
        // What the controller manager logged, for a failure's reader.
        foreach (var line in _logs.Lines)
        {
            await TestContext.Out.WriteLineAsync($"{line.Level} {line.Message}");
        }
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _logs.Dispose();
        _manager.Dispose();
        _dataPlane.Dispose();
        _admin.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task Run_ClassGatewayAndRoutes_StatusAsTheConformanceSuiteReadsIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var raw = new MiniKube.Client.Dynamic.RawApi(_admin);
        async Task<T?> Read<T>(string path, Func<T, bool> done)
            where T : class
        {
            try
            {
                var obj = KubernetesJson.Deserialize<T>(await raw.SendAsync(HttpMethod.Get, path, null, timeout.Token));
                return done(obj) ? obj : null;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The writer makes the class once it sees the group served.
                return null;
            }
        }
        await _admin.CoreV1.CreateNamespacedServiceAsync(Service("default", "web-a"), "default", cancellationToken: timeout.Token);
        await _admin.CustomObjects.CreateNamespacedCustomObjectAsync(NewGateway("default", "gw", Http("web"), Http("odd", port: 9090)), Group, "v1", "default", "gateways", cancellationToken: timeout.Token);
        await _admin.CustomObjects.CreateNamespacedCustomObjectAsync(Route("default", "good", "gw", null, Rule(null, Backend("web-a"))), Group, "v1", "default", "httproutes", cancellationToken: timeout.Token);
        await _admin.CustomObjects.CreateNamespacedCustomObjectAsync(Route("default", "broken", "gw", null, Rule(null, Backend("nope"))), Group, "v1", "default", "httproutes", cancellationToken: timeout.Token);
        await IngressNodes.PublishAsync(_dataPlane, "node-a", "10.0.0.1", 80, 443, timeout.Token);

        var gatewayClass = await EventuallyAsync(() => Read<GatewayClass>($"apis/{Group}/v1/gatewayclasses/mkube", c => c.Status?.Conditions?.Count == 2), timeout.Token);
        var gateway = await EventuallyAsync(() => Read<MiniKube.Addons.Gateway.Gateway>($"apis/{Group}/v1/namespaces/default/gateways/gw", g => g.Status?.Addresses?.Count == 1 && g.Status.Listeners?.Sum(l => l.AttachedRoutes) == 4), timeout.Token);
        var good = await EventuallyAsync(() => Read<HttpRoute>($"apis/{Group}/v1/namespaces/default/httproutes/good", r => r.Status?.Parents?.Count == 1), timeout.Token);
        var broken = await EventuallyAsync(() => Read<HttpRoute>($"apis/{Group}/v1/namespaces/default/httproutes/broken", r => r.Status?.Parents?.Count == 1), timeout.Token);

        static string Conditions(IEnumerable<k8s.Models.V1Condition> conditions) => string.Join(",", conditions.Select(c => $"{c.Type}={c.Status}/{c.Reason}/{c.ObservedGeneration}"));
        Assert.Multiple(() =>
        {
            Assert.That(gatewayClass.Spec.ControllerName, Is.EqualTo(MkubeGatewayClass.ControllerName));
            Assert.That(Conditions(gatewayClass.Status!.Conditions!), Is.EqualTo("Accepted=True/Accepted/1,SupportedVersion=True/SupportedVersion/1"));
            Assert.That(gateway.Status!.Addresses!.Single().Value, Is.EqualTo("10.0.0.1"));
            Assert.That(Conditions(gateway.Status.Conditions!), Is.EqualTo("Accepted=True/ListenersNotValid/1,Programmed=True/Programmed/1"));
            Assert.That(gateway.Status.Listeners!.Select(l => Conditions(l.Conditions)), Is.EqualTo(new[]
            {
                "Conflicted=False/NoConflicts/1,Accepted=True/Accepted/1,ResolvedRefs=True/ResolvedRefs/1,Programmed=True/Programmed/1",
                "Conflicted=False/NoConflicts/1,Accepted=False/PortUnavailable/1,ResolvedRefs=True/ResolvedRefs/1,Programmed=False/Invalid/1",
            }));
            Assert.That(Conditions(good.Status!.Parents!.Single().Conditions!), Is.EqualTo("Accepted=True/Accepted/1,ResolvedRefs=True/ResolvedRefs/1"));
            Assert.That(good.Status.Parents!.Single().ControllerName, Is.EqualTo(MkubeGatewayClass.ControllerName));
            Assert.That(Conditions(broken.Status!.Parents!.Single().Conditions!), Is.EqualTo("Accepted=True/Accepted/1,ResolvedRefs=False/BackendNotFound/1"));
        });
    }
}
