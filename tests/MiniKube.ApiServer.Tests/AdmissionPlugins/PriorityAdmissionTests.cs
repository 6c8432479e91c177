using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.WatchCache;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>
/// The Priority admission plugin in the write path, over an embedded store with the cluster's
/// bootstrap objects (so the system classes exist): pods get the priority of their class or of
/// the global default, unknown classes and contradicting priorities are refused, and at most one
/// class is the default.
/// </summary>
[TestFixture]
public sealed class PriorityAdmissionTests : EmbeddedStoreFixture
{
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType PriorityClasses = ResourceCatalog.Find("scheduling.k8s.io", "v1", "priorityclasses")!;

    private WatchCaches? _caches;

    [TearDown]
    public async Task Release()
    {
        if (_caches is not null)
        {
            await _caches.DisposeAsync();
        }
    }

    [Test]
    public async Task CreatePod_NoClassAndNoDefault_PriorityZeroPreemptLowerPriority()
    {
        var registry = await RegistryAsync();

        var spec = (await CreatePodAsync(registry, Pod("p")))["spec"]!;

        Assert.That(spec["priority"]!.GetValue<int>(), Is.Zero);
        Assert.That(spec["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
        Assert.That(spec["priorityClassName"], Is.Null);
    }

    [Test]
    public async Task CreatePod_SystemClass_GetsItsValueInAnyNamespace()
    {
        var registry = await RegistryAsync();

        var spec = (await CreatePodAsync(registry, Pod("p", priorityClassName: "system-node-critical")))["spec"]!;

        Assert.That(spec["priority"]!.GetValue<int>(), Is.EqualTo(2000001000));
        Assert.That(spec["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
    }

    [Test]
    public async Task CreatePod_UserClass_GetsItsValueAndPolicy()
    {
        var registry = await RegistryAsync();
        await CreateClassAsync(registry, "batch-low", 10, preemptionPolicy: "Never");

        var spec = (await CreatePodAsync(registry, Pod("p", priorityClassName: "batch-low")))["spec"]!;

        Assert.That(spec["priority"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(spec["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("Never"));
    }

    [Test]
    public async Task CreatePod_NoClass_GetsTheLowestGlobalDefault()
    {
        var registry = await RegistryAsync();
        await CreateClassAsync(registry, "normal", 1000, globalDefault: true);

        var spec = (await CreatePodAsync(registry, Pod("p")))["spec"]!;

        Assert.That(spec["priorityClassName"]!.GetValue<string>(), Is.EqualTo("normal"));
        Assert.That(spec["priority"]!.GetValue<int>(), Is.EqualTo(1000));
    }

    [Test]
    public async Task CreatePod_UnknownClass_Forbidden()
    {
        var registry = await RegistryAsync();

        var refused = Assert.ThrowsAsync<ApiException>(() => CreatePodAsync(registry, Pod("p", priorityClassName: "nope")));

        Assert.That(refused!.Code, Is.EqualTo(403));
        Assert.That(refused.Message, Is.EqualTo("pods \"p\" is forbidden: no PriorityClass with name nope was found"));
        Assert.ThrowsAsync<ApiException>(() => registry.GetAsync(Pods, "default", "p", CancellationToken.None));
    }

    [Test]
    public async Task CreatePod_PriorityThatContradictsTheClass_Forbidden()
    {
        var registry = await RegistryAsync();

        var refused = Assert.ThrowsAsync<ApiException>(() => CreatePodAsync(registry, Pod("p", priorityClassName: "system-cluster-critical", priority: 7)));

        Assert.That(refused!.Code, Is.EqualTo(403));
        Assert.That(refused.Message, Does.EndWith(
            "the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 2000000000 from the given PriorityClass name"));
    }

    [Test]
    public async Task CreatePod_PriorityEqualToTheClass_IsAccepted()
    {
        var registry = await RegistryAsync();

        var spec = (await CreatePodAsync(registry, Pod("p", priorityClassName: "system-cluster-critical", priority: 2000000000)))["spec"]!;

        Assert.That(spec["priority"]!.GetValue<int>(), Is.EqualTo(2000000000));
    }

    [Test]
    public async Task CreatePod_PolicyThatContradictsTheClass_Forbidden()
    {
        var registry = await RegistryAsync();
        var pod = Pod("p");
        pod["spec"]!["preemptionPolicy"] = "Never";

        var refused = Assert.ThrowsAsync<ApiException>(() => CreatePodAsync(registry, pod));

        Assert.That(refused!.Message, Does.EndWith(
            "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name"));
    }

    [Test]
    public async Task UpdatePod_PriorityLeftOut_KeepsTheStoredOne()
    {
        var registry = await RegistryAsync();
        await CreatePodAsync(registry, Pod("p", priorityClassName: "system-node-critical"));

        var updated = await registry.UpdateAsync(Pods, "default", "p", null, pod =>
        {
            var spec = pod["spec"]!.AsObject();
            spec.Remove("priority");
            spec.Remove("preemptionPolicy");
            pod["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
            return pod;
        }, dryRun: false, CancellationToken.None);

        Assert.That(updated["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(2000001000));
        Assert.That(updated["spec"]!["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
    }

    [Test]
    public async Task CreateClass_SecondGlobalDefault_Forbidden()
    {
        var registry = await RegistryAsync();
        await CreateClassAsync(registry, "first", 100, globalDefault: true);

        var refused = Assert.ThrowsAsync<ApiException>(() => CreateClassAsync(registry, "second", 200, globalDefault: true));

        Assert.That(refused!.Code, Is.EqualTo(403));
        Assert.That(refused.Message, Is.EqualTo(
            "priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as default. Only one default can exist"));
    }

    [Test]
    public async Task UpdateClass_TheDefaultItself_StaysAllowed_AnotherBecomingDefault_Forbidden()
    {
        var registry = await RegistryAsync();
        await CreateClassAsync(registry, "first", 100, globalDefault: true);
        await CreateClassAsync(registry, "other", 50);

        var same = await registry.UpdateAsync(PriorityClasses, null, "first", null, pc =>
        {
            pc["description"] = "still the default";
            return pc;
        }, dryRun: false, CancellationToken.None);
        var refused = Assert.ThrowsAsync<ApiException>(() => registry.UpdateAsync(PriorityClasses, null, "other", null, pc =>
        {
            pc["globalDefault"] = true;
            return pc;
        }, dryRun: false, CancellationToken.None));

        Assert.That(same["description"]!.GetValue<string>(), Is.EqualTo("still the default"));
        Assert.That(refused!.Code, Is.EqualTo(403));
    }

    [Test]
    public async Task DeleteClass_SystemClass_ForbiddenAndKept_UserClassDeleted()
    {
        var registry = await RegistryAsync();
        await CreateClassAsync(registry, "mine", 1);

        var refused = Assert.ThrowsAsync<ApiException>(() => registry.DeleteAsync(PriorityClasses, null, "system-node-critical", new DeleteOptions(), CancellationToken.None));
        var (_, gone) = await registry.DeleteAsync(PriorityClasses, null, "mine", new DeleteOptions(), CancellationToken.None);

        Assert.That(refused!.Code, Is.EqualTo(403));
        Assert.That(refused.Message, Is.EqualTo("priorityclasses.scheduling.k8s.io \"system-node-critical\" is forbidden: this is a system priority class and cannot be deleted"));
        Assert.That(await registry.GetAsync(PriorityClasses, null, "system-node-critical", CancellationToken.None), Is.Not.Null);
        Assert.That(gone, Is.True);
    }

    [Test]
    public async Task Bootstrap_SystemClasses_HaveUpstreamsFieldsAndAreRecreatedWhenMissing()
    {
        var registry = await RegistryAsync();
        await Store.DeleteAsync(ResourceRegistry.Key(PriorityClasses, null, "system-cluster-critical"), 0, CancellationToken.None);

        await ClusterBootstrap.RunAsync(registry, Allocator(), 6443, CancellationToken.None);

        var critical = await registry.GetAsync(PriorityClasses, null, "system-cluster-critical", CancellationToken.None);
        Assert.That(critical["value"]!.GetValue<int>(), Is.EqualTo(2000000000));
        Assert.That(critical["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
        Assert.That(critical["metadata"]!["generation"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(critical["description"]!.GetValue<string>(), Does.StartWith("Used for system critical pods that must run in the cluster"));
    }

    [Test]
    public async Task CreatePod_FromTheWatchCache_SeesANewDefaultOnceTheCacheHasIt()
    {
        _caches = new WatchCaches(Store, new WatchCacheOptions(), NullLogger.Instance);
        var registry = await RegistryAsync(_caches);
        Assert.That((await CreatePodAsync(registry, Pod("before")))["spec"]!["priority"]!.GetValue<int>(), Is.Zero);
        await CreateClassAsync(registry, "normal", 1000, globalDefault: true);

        // The cache follows the store a moment later, as upstream's informer does.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        int priority;
        var attempt = 0;
        do
        {
            priority = (await CreatePodAsync(registry, Pod($"after-{attempt++}")))["spec"]!["priority"]!.GetValue<int>();
        }
        while (priority != 1000 && DateTime.UtcNow < deadline);

        Assert.That(priority, Is.EqualTo(1000));
        var named = await CreatePodAsync(registry, Pod("named", priorityClassName: "normal"));
        Assert.That(named["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(1000));
    }

    private ServiceAllocator Allocator() => new(Store, "10.43.0.0/16", 30000, 32767);

    private async Task<ResourceRegistry> RegistryAsync(IListCache? cache = null)
    {
        var allocator = Allocator();
        var registry = new ResourceRegistry(Store, new ObjectRules(Store, allocator) { Cache = cache, Plugins = [new PriorityAdmission(Store, cache)] }, TimeProvider.System);
        await ClusterBootstrap.RunAsync(registry, allocator, 6443, CancellationToken.None);
        return registry;
    }

    private static Task<JsonObject> CreatePodAsync(ResourceRegistry registry, JsonObject pod) =>
        registry.CreateAsync(Pods, "default", pod, dryRun: false, CancellationToken.None);

    private static Task<JsonObject> CreateClassAsync(ResourceRegistry registry, string name, int value, bool globalDefault = false, string? preemptionPolicy = null)
    {
        var pc = new JsonObject
        {
            ["apiVersion"] = "scheduling.k8s.io/v1",
            ["kind"] = "PriorityClass",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["value"] = value,
            ["globalDefault"] = globalDefault,
        };
        if (preemptionPolicy is not null)
        {
            pc["preemptionPolicy"] = preemptionPolicy;
        }
        return registry.CreateAsync(PriorityClasses, null, pc, dryRun: false, CancellationToken.None);
    }

    private static JsonObject Pod(string name, string? priorityClassName = null, int? priority = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) };
        if (priorityClassName is not null)
        {
            spec["priorityClassName"] = priorityClassName;
        }
        if (priority is not null)
        {
            spec["priority"] = priority;
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
            ["spec"] = spec,
        };
    }
}
