using k8s;
using Microsoft.Extensions.DependencyInjection;
using MiniKube.Addons.Gateway.Crds;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary>
/// The Gateway API CRDs at server start, in process: with the ingress add-on they are Established
/// by the time the components after them start (and <see cref="GatewayCrdsComponent.Established"/>
/// says so); with it disabled, none is installed.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class GatewayCrdsComponentTests
{
    [Test]
    public async Task Start_IngressEnabled_CrdsEstablishedBeforeLaterComponents()
    {
        var later = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ServerHost.StartAsync("mkube-gwcrds-", (services, _) => services
            .AddGatewayCrds(enabled: true)
            .AddComponent(sp => new ProbeComponent(sp.GetRequiredService<GatewayCrdsComponent>(), later)));

        Assert.That(await later.Task.WaitAsync(TimeSpan.FromSeconds(60)), Is.True, "the next component started with the CRDs established");
        foreach (var name in GatewayApiCrds.Names)
        {
            var crd = await server.Admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name);
            Assert.That(crd.Status.Conditions.Single(c => c.Type == "Established").Status, Is.EqualTo("True"), name);
        }
    }

    [Test]
    public async Task Start_IngressDisabled_InstallsNothing()
    {
        await using var server = await ServerHost.StartAsync("mkube-gwcrds-", (services, _) => services.AddGatewayCrds(enabled: false));

        var crds = await server.Admin.ApiextensionsV1.ListCustomResourceDefinitionAsync();

        Assert.That(crds.Items.Where(c => c.Spec.Group == GatewayApiCrds.Group), Is.Empty);
    }

    // Starts after the CRD component and reports whether their installation was complete by then.
    private sealed class ProbeComponent(GatewayCrdsComponent crds, TaskCompletionSource<bool> started) : IComponent
    {
        public string Name => "probe";

        public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
        {
            started.TrySetResult(crds.Established.IsCompletedSuccessfully);
            ready.Set();
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
