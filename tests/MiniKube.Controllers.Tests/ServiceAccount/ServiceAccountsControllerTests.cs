using MiniKube.Testing;
using k8s;
using k8s.Models;
using MiniKube.Controllers.ServiceAccount;

namespace MiniKube.Controllers.Tests.ServiceAccount;

public sealed class ServiceAccountsControllerTests
{
    private static V1Namespace Namespace(string name, string phase = "Active") =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Status = new V1NamespaceStatus { Phase = phase } };

    [Test]
    public async Task SyncAsync_NamespaceWithoutDefault_CreatesIt()
    {
        await using var world = new ControllerHarness().Seed(Namespace("team")).Seed<V1ServiceAccount>();
        var controller = new ServiceAccountsController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("team"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "POST /api/v1/namespaces/team/serviceaccounts" }));
        var created = KubernetesJson.Deserialize<V1ServiceAccount>(world.Api.Writes[0].Body!);
        Assert.That(created.Metadata.Name, Is.EqualTo("default"));
        Assert.That(created.Secrets, Is.Null, "no token secrets any more");
    }

    [Test]
    public async Task SyncAsync_DefaultExists_WritesNothing()
    {
        var existing = new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default", NamespaceProperty = "team" } };
        await using var world = new ControllerHarness().Seed(Namespace("team")).Seed(existing);
        var controller = new ServiceAccountsController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("team"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_TerminatingNamespace_WritesNothing()
    {
        await using var world = new ControllerHarness().Seed(Namespace("old", "Terminating")).Seed<V1ServiceAccount>();
        var controller = new ServiceAccountsController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("old"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    [Category("Integration")]
    public async Task NewNamespace_GetsDefaultServiceAccount_RecreatedAfterDelete()
    {
        await using var harness = await Common.ClusterHarness.StartControllersAsync(["serviceaccount"]);
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });

        var first = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedServiceAccountAsync("default", "team"), sa => sa is not null, "default SA");
        await client.CoreV1.DeleteNamespacedServiceAccountAsync("default", "team");

        var again = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedServiceAccountAsync("default", "team"),
            sa => sa is not null && sa.Metadata.Uid != first.Metadata.Uid, "default SA recreated");
        Assert.That(again.Metadata.Name, Is.EqualTo("default"));
    }
}
