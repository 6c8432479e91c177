using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>The AdmissionReview sent to a webhook and the checks of its answer.</summary>
public sealed class AdmissionReviewTests
{
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;

    private static JsonObject Pod() => JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"}}""")!.AsObject();

    [Test]
    public void Request_StatusUpdate_CarriesSubresourceOldObjectUserAndOptions()
    {
        var pod = Pod();
        var request = new AdmissionRequest(Pods, AdmissionOperation.Update, "status", pod, Pod(), DryRun: true, new Requester("jane", ["dev", "system:authenticated"]));

        var review = AdmissionReview.Request(request, Pods, pod, request.OldObject, "u-1");

        var expected = JsonNode.Parse("""
            {"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"subResource":"status",
             "requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"group":"","version":"v1","resource":"pods"},"requestSubResource":"status",
             "name":"p","namespace":"ns","operation":"UPDATE","userInfo":{"username":"jane","groups":["dev","system:authenticated"]},
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"}},"oldObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"}},
             "dryRun":true,"options":{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1","dryRun":["All"]}}
            """);
        Assert.That(JsonNode.DeepEquals(review, expected), Is.True, review.ToJsonString());
    }

    [Test]
    public void Request_CreateOfANamespace_NamespaceIsItsName_NoOldObject_ServerUserWithoutRequester()
    {
        var ns = JsonNode.Parse("""{"metadata":{"name":"team"}}""")!.AsObject();
        var request = new AdmissionRequest(Namespaces, AdmissionOperation.Create, null, ns, null, false, null);

        var review = AdmissionReview.Request(request, Namespaces, ns, null, "u");

        Assert.That(review["namespace"]!.GetValue<string>(), Is.EqualTo("team"));
        Assert.That(review.ContainsKey("oldObject") && review["oldObject"] is null, Is.True, "oldObject is null, as Go marshals an empty RawExtension");
        Assert.That(review["userInfo"]!["username"]!.GetValue<string>(), Is.EqualTo("system:apiserver"));
        Assert.That(review["options"]!["kind"]!.GetValue<string>(), Is.EqualTo("CreateOptions"));
    }

    [Test]
    public void Envelope_NamesTheReviewVersion()
    {
        var envelope = AdmissionReview.Envelope("v1beta1", new JsonObject());

        Assert.That(envelope["apiVersion"]!.GetValue<string>(), Is.EqualTo("admission.k8s.io/v1beta1"));
        Assert.That(envelope["kind"]!.GetValue<string>(), Is.EqualTo("AdmissionReview"));
    }

    [Test]
    public void Read_AllowedWithPatchAndWarnings()
    {
        var answer = Answer("""{"uid":"u","allowed":true,"patchType":"JSONPatch","patch":"W10=","warnings":["careful"]}""");

        var response = AdmissionReview.Read(answer, "v1", "u", mutating: true);

        Assert.That(response.Allowed, Is.True);
        Assert.That(response.Patch, Is.EqualTo("W10="));
        Assert.That(response.Warnings, Is.EqualTo(new[] { "careful" }));
    }

    [TestCase("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "webhook response was absent")]
    [TestCase("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"other","allowed":true}}""", "expected response.uid=\"u\", got \"other\"")]
    [TestCase("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}}""",
        "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview")]
    [TestCase("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"patch":"W10="}}""", "webhook returned response.patch but not response.patchType")]
    [TestCase("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"patchType":"JSONPatch"}}""", "webhook returned response.patchType but not response.patch")]
    [TestCase("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"patch":"W10=","patchType":"MergePatch"}}""", "webhook returned invalid response.patchType of \"MergePatch\"")]
    public void Read_InvalidAnswers_UpstreamMessages(string answer, string message)
    {
        var error = Assert.Throws<InvalidReviewException>(() => AdmissionReview.Read(JsonNode.Parse(answer)!.AsObject(), "v1", "u", mutating: true));

        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void Read_ValidatingWebhookWithPatch_Refused()
    {
        var error = Assert.Throws<InvalidReviewException>(() =>
            AdmissionReview.Read(Answer("""{"uid":"u","allowed":true,"patchType":"JSONPatch","patch":"W10="}"""), "v1", "u", mutating: false));

        Assert.That(error!.Message, Is.EqualTo("validating webhooks may not return patches"));
    }

    [Test]
    public void Read_V1beta1_DoesNotCheckTheEnvelope()
    {
        var response = AdmissionReview.Read(JsonNode.Parse("""{"response":{"uid":"u","allowed":false}}""")!.AsObject(), "v1beta1", "u", mutating: false);

        Assert.That(response.Allowed, Is.False);
    }

    private static JsonObject Answer(string response) =>
        JsonNode.Parse($$"""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{{response}}}""")!.AsObject();
}
