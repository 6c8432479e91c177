using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Webhooks;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Resources;

/// <summary>The ConversionReview exchange and upstream's checks of the answer, against a real loopback HTTPS webhook.</summary>
public sealed class CustomResourceWebhookConverterTests
{
    private const string What = "example.com/v1, Kind=Widget";

    private string _directory = null!;
    private WebhookClient _client = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "conv-" + Guid.NewGuid().ToString("N"));
        _client = new WebhookClient(null);
    }

    [TearDown]
    public void TearDown()
    {
        _client.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task Convert_ObjectsInOtherVersions_OneReviewAndOnlyLabelsAndAnnotationsTakenFromTheAnswer()
    {
        await using var webhook = await TestWebhookServer.StartAsync(_directory, (_, request) => Task.FromResult(Answer(request, obj =>
        {
            obj["metadata"]!["labels"] = new JsonObject { ["added"] = "yes" };
            obj["metadata"]!["generation"] = 99;
        })));
        var converter = Converter(webhook, "v1");
        var already = Widget("a", "example.com/v2");

        var converted = await converter.ConvertAsync([Widget("b", "example.com/v1"), already, Widget("c", "example.com/v1")], "example.com/v2", What, CancellationToken.None);

        Assert.That(webhook.Requests, Has.Count.EqualTo(1));
        var request = webhook.Requests.Single();
        Assert.That(request["desiredAPIVersion"]!.GetValue<string>(), Is.EqualTo("example.com/v2"));
        Assert.That(request["objects"]!.AsArray().Select(o => o!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(converted.Select(o => o["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "b", "a", "c" }));
        Assert.That(converted[1], Is.SameAs(already));
        Assert.That(converted[0]["apiVersion"]!.GetValue<string>(), Is.EqualTo("example.com/v2"));
        Assert.That(converted[0]["metadata"]!["labels"]!["added"]!.GetValue<string>(), Is.EqualTo("yes"));
        Assert.That(converted[0]["metadata"]!["generation"]!.ToJsonString(), Is.EqualTo("1"), "metadata other than labels and annotations is the original's");
    }

    [Test]
    public async Task Convert_AllInTheDesiredVersion_CallsNothing()
    {
        var converter = new CustomResourceWebhookConverter(_client, Webhook("https://127.0.0.1:1/", null, "v1"));
        var objects = new[] { Widget("a", "example.com/v2") };

        var converted = await converter.ConvertAsync(objects, "example.com/v2", What, CancellationToken.None);

        Assert.That(converted, Is.SameAs(objects));
    }

    [TestCase("name", "must have the same name: b != other")]
    [TestCase("uid", "must have the same UID: uid-b != other")]
    public async Task Convert_AnswerChangesIdentity_InternalError(string field, string detail)
    {
        await using var webhook = await TestWebhookServer.StartAsync(_directory, (_, request) => Task.FromResult(Answer(request, obj => obj["metadata"]![field] = "other")));

        var e = Assert.ThrowsAsync<ApiException>(() => Converter(webhook, "v1").ConvertAsync([Widget("b", "example.com/v1")], "example.com/v2", What, CancellationToken.None));

        Assert.That(e!.Code, Is.EqualTo(500));
        Assert.That(e.Message, Is.EqualTo($"Internal error occurred: conversion webhook for {What} returned invalid converted object at index 0: {detail}"));
    }

    [Test]
    public async Task Convert_InvalidLabelAdded_InternalError()
    {
        await using var webhook = await TestWebhookServer.StartAsync(_directory, (_, request) => Task.FromResult(Answer(request, obj =>
            obj["metadata"]!["labels"] = new JsonObject { ["bad key!"] = "x" })));

        var e = Assert.ThrowsAsync<ApiException>(() => Converter(webhook, "v1").ConvertAsync([Widget("b", "example.com/v1")], "example.com/v2", What, CancellationToken.None));

        Assert.That(e!.Message, Does.StartWith($"Internal error occurred: conversion webhook for {What} returned invalid metadata in object at index 0: metadata.labels: Invalid value: \"bad key!\": "));
    }

    [Test]
    public async Task Convert_WrongApiVersionOrCount_InternalError()
    {
        await using var webhook = await TestWebhookServer.StartAsync(_directory, (_, request) => Task.FromResult(Answer(request, obj => obj["apiVersion"] = "example.com/v3")));
        var converter = Converter(webhook, "v1beta1");

        var version = Assert.ThrowsAsync<ApiException>(() => converter.ConvertAsync([Widget("b", "example.com/v1")], "example.com/v2", What, CancellationToken.None));

        Assert.That(version!.Message, Does.EndWith("invalid groupVersion (expected example.com/v2, received example.com/v3)"));
        Assert.That(webhook.Requests.Single()["uid"], Is.Not.Null);
    }

    [Test]
    public async Task Convert_FailedResult_MessageOfTheWebhook()
    {
        await using var webhook = await TestWebhookServer.StartAsync(_directory, (_, _) => Task.FromResult(new JsonObject
        {
            ["result"] = new JsonObject { ["status"] = "Failure", ["message"] = "cannot convert b" },
        }));

        var e = Assert.ThrowsAsync<ApiException>(() => Converter(webhook, "v1").ConvertAsync([Widget("b", "example.com/v1")], "example.com/v2", What, CancellationToken.None));

        Assert.That(e!.Message, Is.EqualTo($"Internal error occurred: conversion webhook for {What} failed: cannot convert b"));
    }

    [Test]
    public async Task Convert_FewerObjects_InternalError()
    {
        await using var webhook = await TestWebhookServer.StartAsync(_directory, (_, _) => Task.FromResult(new JsonObject
        {
            ["convertedObjects"] = new JsonArray(),
            ["result"] = new JsonObject { ["status"] = "Success" },
        }));

        var e = Assert.ThrowsAsync<ApiException>(() => Converter(webhook, "v1").ConvertAsync([Widget("b", "example.com/v1")], "example.com/v2", What, CancellationToken.None));

        Assert.That(e!.Message, Is.EqualTo($"Internal error occurred: conversion webhook for {What} returned 0 objects, expected 1"));
    }

    [Test]
    public void Convert_Unreachable_FailedWithTheClientError()
    {
        var converter = new CustomResourceWebhookConverter(_client, Webhook("https://127.0.0.1:1/convert", null, "v1"));

        var e = Assert.ThrowsAsync<ApiException>(() => converter.ConvertAsync([Widget("b", "example.com/v1")], "example.com/v2", What, CancellationToken.None));

        Assert.That(e!.Code, Is.EqualTo(500));
        Assert.That(e.Message, Does.StartWith($"Internal error occurred: conversion webhook for {What} failed: Post \"https://127.0.0.1:1/convert?timeout=30s\": "));
    }

    private CustomResourceWebhookConverter Converter(TestWebhookServer webhook, string reviewVersion) =>
        new(_client, Webhook(webhook.Url("/convert"), webhook.CaBundle, reviewVersion));

    private static JsonObject Webhook(string url, byte[]? caBundle, string reviewVersion)
    {
        var clientConfig = new JsonObject { ["url"] = url };
        if (caBundle is not null)
        {
            clientConfig["caBundle"] = Convert.ToBase64String(caBundle);
        }
        return new JsonObject { ["clientConfig"] = clientConfig, ["conversionReviewVersions"] = new JsonArray("v2", reviewVersion) };
    }

    private static JsonObject Widget(string name, string apiVersion) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = "uid-" + name, ["generation"] = 1 },
    };

    // Each object in the desired apiVersion, changed further by the test.
    private static JsonObject Answer(JsonObject request, Action<JsonObject> change)
    {
        var converted = new JsonArray();
        foreach (var item in request["objects"]!.AsArray())
        {
            var obj = item!.DeepClone().AsObject();
            obj["apiVersion"] = request["desiredAPIVersion"]!.GetValue<string>();
            change(obj);
            converted.Add(obj);
        }
        return new JsonObject { ["convertedObjects"] = converted, ["result"] = new JsonObject { ["status"] = "Success" } };
    }
}
