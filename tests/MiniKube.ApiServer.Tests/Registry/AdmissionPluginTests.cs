using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.Registry;

/// <summary>The admission-plugin seam of the write path: order, mutation, refusal and what it leaves stored.</summary>
[TestFixture]
public sealed class AdmissionPluginTests : EmbeddedStoreFixture
{
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;


    [Test]
    public async Task Create_PluginsMutateThenValidate_AndSeeTheKindsDefaults()
    {
        var plugin = new RecordingPlugin { Mutate = obj => ((JsonObject)obj["data"]!)["added"] = "by-plugin" };
        var registry = await RegistryAsync(plugin);

        var created = await registry.CreateAsync(ConfigMaps, "default", ConfigMap("a"), dryRun: false, CancellationToken.None);

        Assert.That(created["data"]!["added"]!.GetValue<string>(), Is.EqualTo("by-plugin"));
        Assert.That(plugin.Calls, Is.EqualTo(new[] { "admit Create a", "validate Create a" }));
        Assert.That(plugin.SawUid, Is.True, "admission runs after the registry set uid and creationTimestamp");
    }

    [Test]
    public async Task Create_ValidatingPluginRefuses_NothingIsStored()
    {
        var registry = await RegistryAsync(new RecordingPlugin { Refuse = AdmissionOperation.Create });

        var refused = Assert.ThrowsAsync<ApiException>(() => registry.CreateAsync(ConfigMaps, "default", ConfigMap("a"), dryRun: false, CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(403));
        Assert.ThrowsAsync<ApiException>(() => registry.GetAsync(ConfigMaps, "default", "a", CancellationToken.None));
    }

    [Test]
    public async Task Update_PluginSeesOldAndNew_AndAMutationInvalidForTheKindIsRefused()
    {
        var plugin = new RecordingPlugin();
        var registry = await RegistryAsync(plugin);
        await registry.CreateAsync(ConfigMaps, "default", ConfigMap("a"), dryRun: false, CancellationToken.None);
        plugin.Calls.Clear();
        // A mutation that breaks the kind's rules is caught by the kind's validation, which runs after the plugins' mutations.
        plugin.Mutate = obj => ((JsonObject)obj["metadata"]!)["labels"] = new JsonObject { ["bad key!"] = "x" };

        var refused = Assert.ThrowsAsync<ApiException>(() => registry.UpdateAsync(ConfigMaps, "default", "a", null, obj =>
        {
            ((JsonObject)obj["data"]!)["k"] = "2";
            return obj;
        }, dryRun: false, CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(422));
        Assert.That(plugin.Calls, Is.EqualTo(new[] { "admit Update a old" }));
    }

    [Test]
    public async Task Delete_ValidatingPluginRefuses_ObjectStays()
    {
        var plugin = new RecordingPlugin();
        var registry = await RegistryAsync(plugin);
        await registry.CreateAsync(ConfigMaps, "default", ConfigMap("a"), dryRun: false, CancellationToken.None);
        plugin.Refuse = AdmissionOperation.Delete;

        var refused = Assert.ThrowsAsync<ApiException>(() => registry.DeleteAsync(ConfigMaps, "default", "a", new DeleteOptions(), CancellationToken.None));

        Assert.That(refused!.Code, Is.EqualTo(403));
        Assert.That(await registry.GetAsync(ConfigMaps, "default", "a", CancellationToken.None), Is.Not.Null);
    }

    private async Task<ResourceRegistry> RegistryAsync(IAdmissionPlugin plugin)
    {
        var allocator = new ServiceAllocator(Store, "10.43.0.0/16", 30000, 32767);
        var registry = new ResourceRegistry(Store, new ObjectRules(Store, allocator) { Plugins = [plugin] }, TimeProvider.System);
        await registry.CreateAsync(Namespaces, null, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "default" } }, dryRun: false, CancellationToken.None);
        return registry;
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["k"] = "1" },
    };

    private sealed class RecordingPlugin : IAdmissionPlugin
    {
        public List<string> Calls { get; } = [];

        public Action<JsonObject>? Mutate { get; set; }

        public AdmissionOperation? Refuse { get; set; }

        public bool SawUid { get; private set; }

        public string Name => "Recording";

        public Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
        {
            if (request.Type != ConfigMaps)
            {
                return Task.CompletedTask;
            }
            Calls.Add($"admit {request.Operation} {request.Name}{(request.OldObject is null ? "" : " old")}");
            SawUid = request.Object["metadata"]?["uid"] is not null;
            Mutate?.Invoke(request.Object);
            return Task.CompletedTask;
        }

        public Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
        {
            if (request.Type != ConfigMaps)
            {
                return Task.CompletedTask;
            }
            Calls.Add($"validate {request.Operation} {request.Name}");
            if (request.Operation == Refuse)
            {
                throw ApiException.Forbidden(request.Type, request.Name, "denied by the test plugin");
            }
            return Task.CompletedTask;
        }
    }
}
