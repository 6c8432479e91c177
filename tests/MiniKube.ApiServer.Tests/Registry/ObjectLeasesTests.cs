using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Registry;
using static MiniKube.ApiServer.Resources.ResourceCatalog;

namespace MiniKube.ApiServer.Tests.Registry;

/// <summary>--event-ttl: Events are written with store leases, which expire them; other kinds are not.</summary>
[TestFixture]
public sealed class ObjectLeasesTests : EmbeddedStoreFixture
{
    private static readonly ApiServer.Resources.ResourceType Events = Find("", "v1", "events")!, EventsV1 = Find("events.k8s.io", "v1", "events")!, ConfigMaps = Find("", "v1", "configmaps")!;

    [Test]
    public async Task Events_AreWrittenWithALease_SharedByABurst_OtherKindsWithNone()
    {
        var registry = await RegistryAsync(TimeSpan.FromHours(1), TimeProvider.System);

        await registry.CreateAsync(Events, "default", Event("a"), dryRun: false, CancellationToken.None);
        await registry.CreateAsync(Events, "default", Event("b"), dryRun: false, CancellationToken.None);
        await registry.CreateAsync(ConfigMaps, "default", ConfigMap("c"), dryRun: false, CancellationToken.None);

        var a = await Store.GetAsync("/registry/events/default/a", 0, CancellationToken.None);
        var b = await Store.GetAsync("/registry/events/default/b", 0, CancellationToken.None);
        var c = await Store.GetAsync("/registry/configmaps/default/c", 0, CancellationToken.None);
        Assert.That(a!.Lease, Is.Not.Zero);
        Assert.That(b!.Lease, Is.EqualTo(a.Lease), "one lease for Events written within its reuse window");
        Assert.That(c!.Lease, Is.Zero);
    }

    [Test]
    public async Task Event_ExpiresAfterTheTtl_AConfigMapStays()
    {
        var registry = await RegistryAsync(TimeSpan.FromSeconds(1), TimeProvider.System);
        await registry.CreateAsync(Events, "default", Event("short-lived"), dryRun: false, CancellationToken.None);
        await registry.CreateAsync(ConfigMaps, "default", ConfigMap("kept"), dryRun: false, CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await Store.GetAsync("/registry/events/default/short-lived", 0, CancellationToken.None) is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.ThrowsAsync<ApiServer.Errors.ApiException>(() => registry.GetAsync(Events, "default", "short-lived", CancellationToken.None));
        Assert.ThrowsAsync<ApiServer.Errors.ApiException>(() => registry.GetAsync(EventsV1, "default", "short-lived", CancellationToken.None), "the events.k8s.io view of the same object");
        Assert.That(await registry.GetAsync(ConfigMaps, "default", "kept", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task Update_AfterTheReuseWindow_MovesTheEventToAFreshLease()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var registry = await RegistryAsync(TimeSpan.FromHours(1), clock);
        await registry.CreateAsync(Events, "default", Event("counted"), dryRun: false, CancellationToken.None);
        var first = (await Store.GetAsync("/registry/events/default/counted", 0, CancellationToken.None))!.Lease;

        // The reuse window of a one-hour TTL is 3 minutes (5 %): past it the old lease would end the
        // Event before a full TTL from now, so the update (a recurrence, count + 1) takes a new one.
        clock.Advance(TimeSpan.FromMinutes(4));
        await registry.UpdateAsync(Events, "default", "counted", null, e =>
        {
            e["count"] = 2;
            return e;
        }, dryRun: false, CancellationToken.None);

        var updated = (await Store.GetAsync("/registry/events/default/counted", 0, CancellationToken.None))!;
        Assert.That(updated.Lease, Is.Not.Zero.And.Not.EqualTo(first));
    }

    [Test]
    public async Task ZeroTtl_EventsNeverExpire()
    {
        var registry = await RegistryAsync(TimeSpan.Zero, TimeProvider.System);

        await registry.CreateAsync(Events, "default", Event("forever"), dryRun: false, CancellationToken.None);

        Assert.That((await Store.GetAsync("/registry/events/default/forever", 0, CancellationToken.None))!.Lease, Is.Zero);
    }

    [Test]
    public async Task ALeaseTheStoreNoLongerKnows_IsReplaced()
    {
        var registry = await RegistryAsync(TimeSpan.FromHours(1), TimeProvider.System);
        await registry.CreateAsync(Events, "default", Event("a"), dryRun: false, CancellationToken.None);
        var lease = (await Store.GetAsync("/registry/events/default/a", 0, CancellationToken.None))!.Lease;
        await Store.RevokeLeaseAsync(lease, CancellationToken.None);

        await registry.CreateAsync(Events, "default", Event("b"), dryRun: false, CancellationToken.None);

        var b = (await Store.GetAsync("/registry/events/default/b", 0, CancellationToken.None))!;
        Assert.That(b.Lease, Is.Not.Zero.And.Not.EqualTo(lease));
    }

    private async Task<ResourceRegistry> RegistryAsync(TimeSpan eventTtl, TimeProvider clock)
    {
        var rules = new ObjectRules(Store, new ApiServer.Strategies.ServiceAllocator(Store, "10.43.0.0/16", 30000, 32767));
        var registry = new ResourceRegistry(Store, rules, clock) { Leases = new ObjectLeases(Store, eventTtl, clock) };
        await registry.CreateAsync(Find("", "v1", "namespaces")!, null, Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}}"""), dryRun: false, CancellationToken.None);
        return registry;
    }

    private static JsonObject Event(string name) => Parse($$$"""
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"{{{name}}}"},"reason":"Started","message":"Started container c","type":"Normal","count":1,
         "involvedObject":{"kind":"Pod","namespace":"default","name":"web-0","apiVersion":"v1"},"source":{"component":"kubelet"}}
        """);

    private static JsonObject ConfigMap(string name) => Parse($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"k":"1"}}""");

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
