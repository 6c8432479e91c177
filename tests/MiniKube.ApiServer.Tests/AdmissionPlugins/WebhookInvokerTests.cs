using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>Which webhooks a write goes to (selectors, matchConditions, exemptions), refusals as upstream words them, and patches applied.</summary>
[TestFixture]
public sealed class WebhookInvokerTests : EmbeddedStoreFixture
{
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly ResourceType HpaV2 = ResourceCatalog.Find("autoscaling", "v2", "horizontalpodautoscalers")!;

    private WebhookClient _client = null!;
    private WebhookInvoker _invoker = null!;

    [SetUp]
    public async Task Prepare()
    {
        var reads = new CachedReads(Store, null);
        _client = new WebhookClient(new WebhookServiceResolver(reads));
        _invoker = new WebhookInvoker(reads, _client);
        var ns = JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team","labels":{"tier":"gold"}}}""")!.AsObject();
        await Store.CreateAsync(ResourceRegistry.Key(Namespaces, null, "team"), ObjectCodec.Encode(ns), 0, CancellationToken.None);
    }

    [TearDown]
    public async Task Release()
    {
        _client.Dispose();
    }

    /// <summary>A defaulted configmaps webhook; <paramref name="extra"/> is a JSON object of fields that replace or add to it.</summary>
    private static Webhook Hook(string extra = "{}", string resources = """["configmaps"]""")
    {
        var hook = JsonNode.Parse($$"""
            {"name":"hook.example.com","clientConfig":{"url":"https://127.0.0.1:1/x"},
            "rules":[{"operations":["*"],"apiGroups":[""],"apiVersions":["*"],"resources":{{resources}}}],
            "failurePolicy":"Fail","matchPolicy":"Equivalent","namespaceSelector":{},"objectSelector":{},"timeoutSeconds":10,
            "sideEffects":"None","admissionReviewVersions":["v1"]}
            """)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(extra)!.AsObject())
        {
            hook[key] = value?.DeepClone();
        }
        var configuration = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "cfg" }, ["webhooks"] = new JsonArray(hook) };
        return Webhook.Read(configuration, CelNetEngine.Instance).Single();
    }

    private static AdmissionRequest ConfigMap(string ns = "team", string labels = "{}", AdmissionOperation operation = AdmissionOperation.Create, bool dryRun = false)
    {
        var obj = JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"{{{ns}}}","labels":{{{labels}}}},"data":{"a":"1"}}""")!.AsObject();
        return new AdmissionRequest(ConfigMaps, operation, null, obj, operation == AdmissionOperation.Create ? null : obj.DeepClone().AsObject(), dryRun, null);
    }

    [Test]
    public async Task ShouldCall_NamespaceSelector_ReadsTheNamespacesLabels()
    {
        var gold = Hook("""{"namespaceSelector":{"matchLabels":{"tier":"gold"}}}""");
        var silver = Hook("""{"namespaceSelector":{"matchLabels":{"tier":"silver"}}}""");

        Assert.That(await _invoker.ShouldCallAsync(gold, ConfigMap(), CancellationToken.None), Is.Not.Null);
        Assert.That(await _invoker.ShouldCallAsync(silver, ConfigMap(), CancellationToken.None), Is.Null);
        var missing = Assert.ThrowsAsync<ApiException>(() => _invoker.ShouldCallAsync(gold, ConfigMap(ns: "gone"), CancellationToken.None));
        Assert.That(missing!.Message, Is.EqualTo("Internal error occurred: namespaces \"gone\" not found"));
    }

    [Test]
    public async Task ShouldCall_NamespaceBeingCreated_MatchedOnItsOwnLabels()
    {
        var hook = Hook("""{"namespaceSelector":{"matchLabels":{"new":"yes"}}}""", """["namespaces"]""");
        var ns = JsonNode.Parse("""{"metadata":{"name":"fresh","labels":{"new":"yes"}}}""")!.AsObject();

        var call = await _invoker.ShouldCallAsync(hook, new AdmissionRequest(Namespaces, AdmissionOperation.Create, null, ns, null, false, null), CancellationToken.None);

        Assert.That(call, Is.Not.Null);
    }

    [Test]
    public async Task ShouldCall_ObjectSelector_NewOrOldLabels_DeleteSendsOnlyTheOld()
    {
        var hook = Hook("""{"objectSelector":{"matchLabels":{"watch":"me"}}}""");

        Assert.That(await _invoker.ShouldCallAsync(hook, ConfigMap(labels: """{"watch":"me"}"""), CancellationToken.None), Is.Not.Null);
        Assert.That(await _invoker.ShouldCallAsync(hook, ConfigMap(), CancellationToken.None), Is.Null);
        var delete = await _invoker.ShouldCallAsync(hook, ConfigMap(labels: """{"watch":"me"}""", operation: AdmissionOperation.Delete), CancellationToken.None);
        Assert.That(delete!.Review["object"], Is.Null);
        Assert.That(delete.Review["oldObject"]!["metadata"]!["name"]!.GetValue<string>(), Is.EqualTo("c"));
    }

    [Test]
    public async Task ShouldCall_MatchConditions_FalseSkips_ErrorFollowsFailurePolicy()
    {
        var skip = Hook("""{"matchConditions":[{"name":"n","expression":"object.metadata.name != 'c'"}]}""");
        var request = Hook("""{"matchConditions":[{"name":"op","expression":"request.operation == 'CREATE' && request.userInfo.username == 'system:apiserver'"}]}""");
        var failing = Hook("""{"matchConditions":[{"name":"boom","expression":"object.spec.missing == 1"}]}""");
        var ignoring = Hook("""{"failurePolicy":"Ignore","matchConditions":[{"name":"boom","expression":"object.spec.missing == 1"}]}""");

        Assert.That(await _invoker.ShouldCallAsync(skip, ConfigMap(), CancellationToken.None), Is.Null);
        Assert.That(await _invoker.ShouldCallAsync(request, ConfigMap(), CancellationToken.None), Is.Not.Null);
        var error = Assert.ThrowsAsync<WebhookFailureException>(() => _invoker.ShouldCallAsync(failing, ConfigMap(), CancellationToken.None));
        Assert.That(error!.Message, Does.StartWith("failed calling webhook \"hook.example.com\": failed to evaluate boom: no such key: spec"));
        Assert.That(await _invoker.ShouldCallAsync(ignoring, ConfigMap(), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ShouldCall_EquivalentForm_ObjectIsConvertedToIt()
    {
        var hook = Webhook.Read(JsonNode.Parse("""
            {"metadata":{"name":"cfg"},"webhooks":[{"name":"hpa.example.com","clientConfig":{"url":"https://127.0.0.1:1/x"},
            "rules":[{"operations":["*"],"apiGroups":["autoscaling"],"apiVersions":["v1"],"resources":["horizontalpodautoscalers"]}],
            "sideEffects":"None","admissionReviewVersions":["v1"]}]}
            """)!.AsObject(), CelNetEngine.Instance).Single();
        var hpa = JsonNode.Parse("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h","namespace":"team"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":1,"maxReplicas":3,
             "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}}
            """)!.AsObject();

        var call = await _invoker.ShouldCallAsync(hook, new AdmissionRequest(HpaV2, AdmissionOperation.Create, null, hpa, null, false, null), CancellationToken.None);

        Assert.That(call!.Review["kind"]!["version"]!.GetValue<string>(), Is.EqualTo("v1"));
        Assert.That(call.Review["requestKind"]!["version"]!.GetValue<string>(), Is.EqualTo("v2"));
        Assert.That(call.Review["object"]!["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<long>(), Is.EqualTo(50));
    }

    [Test]
    public void IsExempt_TheAdmissionConfigurationKinds()
    {
        Assert.That(WebhookInvoker.IsExempt(ResourceCatalog.Find("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")!), Is.True);
        Assert.That(WebhookInvoker.IsExempt(ConfigMaps), Is.False);
    }

    [Test]
    public void Denied_UpstreamMessages_AndAtLeast400()
    {
        var withMessage = WebhookInvoker.Denied("x.example.com", JsonNode.Parse("""{"code":403,"message":"no","reason":"Forbidden"}""")!.AsObject());
        var withReason = WebhookInvoker.Denied("x.example.com", JsonNode.Parse("""{"reason":"NotAllowed","code":200}""")!.AsObject());
        var bare = WebhookInvoker.Denied("x.example.com", null);

        Assert.That((withMessage.Code, withMessage.Reason, withMessage.Message), Is.EqualTo((403, "Forbidden", "admission webhook \"x.example.com\" denied the request: no")));
        Assert.That((withReason.Code, withReason.Message), Is.EqualTo((400, "admission webhook \"x.example.com\" denied the request: NotAllowed")));
        Assert.That(bare.Message, Is.EqualTo("admission webhook \"x.example.com\" denied the request without explanation"));
    }

    [Test]
    public async Task Call_DryRunWithSideEffects_RefusedWithoutCalling()
    {
        var hook = Webhook.Read(JsonNode.Parse("""
            {"metadata":{"name":"cfg"},"webhooks":[{"name":"side.example.com","clientConfig":{"url":"https://127.0.0.1:1/x"},
            "rules":[{"operations":["*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}],"sideEffects":"Some","admissionReviewVersions":["v1"]}]}
            """)!.AsObject(), CelNetEngine.Instance).Single();
        var request = ConfigMap(dryRun: true);
        var call = await _invoker.ShouldCallAsync(hook, request, CancellationToken.None);

        var refused = Assert.ThrowsAsync<ApiException>(() => _invoker.CallAsync(call!, request, mutating: false, CancellationToken.None));

        Assert.That((refused!.Code, refused.Message), Is.EqualTo((400, "admission webhook \"side.example.com\" does not support dry run")));
    }

    [Test]
    public async Task Patch_AppliedInPlace_WithDefaults_ReportsChange()
    {
        var request = ConfigMap();
        var call = await _invoker.ShouldCallAsync(Hook(), request, CancellationToken.None);
        var patch = Base64("""[{"op":"add","path":"/data/b","value":"2"}]""");

        Assert.That(WebhookPatch.Apply(call!, request, patch), Is.True);
        Assert.That(request.Object["data"]!["b"]!.GetValue<string>(), Is.EqualTo("2"));
        Assert.That(WebhookPatch.Apply(call!, request, Base64("[]")), Is.False);
    }

    [Test]
    public async Task Patch_Undecodable_IsAWebhookFailure_NotApplying_IsInternal()
    {
        var request = ConfigMap();
        var call = await _invoker.ShouldCallAsync(Hook(), request, CancellationToken.None);

        Assert.Throws<WebhookFailureException>(() => WebhookPatch.Apply(call!, request, "not base64!"));
        var internalError = Assert.Throws<ApiException>(() => WebhookPatch.Apply(call!, request, Base64("""[{"op":"remove","path":"/spec/nothing"}]""")));
        Assert.That(internalError!.Code, Is.EqualTo(500));
    }

    private static string Base64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
}
