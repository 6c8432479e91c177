using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Encryption;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// Secrets encryption at rest through an in-process API server: every path that writes or
/// reads a Secret (create, get, list, watch, update, server-side apply, delete) sees plain
/// objects while the store holds only envelopes; the /v1-mkube/encrypt endpoints rotate and
/// reencrypt, and refuse anyone outside system:masters.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class SecretsEncryptionTests
{
    private const string Password = "hunter2-very-secret";
    private static readonly string PasswordBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Password));
    private string _directory = null!;
    private SecretsEncryption _encryption = null!;
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("mkube-enc-").FullName;
        _encryption = SecretsEncryption.LoadOrCreate(Path.Combine(_directory, "cred"), enable: true, EncryptionProviders.AesCbc, TimeProvider.System, NullLogger.Instance)!;
        var tokens = new Dictionary<string, UserInfo> { ["jane-token"] = new("jane", ["system:authenticated"]) };
        _server = await TestApiServer.StartAsync(_directory, extras: new TestApiServerExtras(_encryption, tokens));
        _client = _server.Client();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _encryption.Dispose();
        _server.DeleteDirectory();
    }

    private static V1Secret Secret(string name, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        StringData = new Dictionary<string, string> { ["password"] = value },
    };

    private async Task<string> RawAsync(string name) =>
        Encoding.UTF8.GetString((await _server.Store.GetAsync($"/registry/secrets/default/{name}", 0, CancellationToken.None))!.Value);

    [Test]
    public async Task EveryPath_SeesPlainSecrets_WhileTheStoreHoldsEnvelopes()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var list = await _client.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: cancel.Token);
        var created = await _client.CoreV1.CreateNamespacedSecretAsync(Secret("db", Password), "default", cancellationToken: cancel.Token);
        created.StringData = new Dictionary<string, string> { ["password"] = Password + "-2" };
        await _client.CoreV1.ReplaceNamespacedSecretAsync(created, "db", "default", cancellationToken: cancel.Token);
        var apply = $"{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{{\"name\":\"db\"}},\"stringData\":{{\"other\":\"{Password}-3\"}}}}";
        await _client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(apply, V1Patch.PatchType.ApplyPatch), "db", "default", fieldManager: "test", force: true, cancellationToken: cancel.Token);
        var raw = await RawAsync("db");
        var read = await _client.CoreV1.ReadNamespacedSecretAsync("db", "default", cancellationToken: cancel.Token);
        var listed = await _client.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: cancel.Token);
        var cached = await _client.CoreV1.ListNamespacedSecretAsync("default", resourceVersion: "0", cancellationToken: cancel.Token);
        var watchEvents = new List<(WatchEventType Type, V1Secret Secret)>();
        await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedSecretAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
        {
            watchEvents.Add((type, item));
            if (watchEvents.Count == 3)
            {
                break;
            }
        }
        await _client.CoreV1.DeleteNamespacedSecretAsync("db", "default", cancellationToken: cancel.Token);

        Assert.That(raw, Does.StartWith("k8s:enc:aescbc:v1:aescbckey:"));
        Assert.That(raw, Does.Not.Contain(Password).And.Not.Contain(PasswordBase64));
        Assert.That(Encoding.UTF8.GetString(read.Data["password"]), Is.EqualTo(Password + "-2"));
        Assert.That(Encoding.UTF8.GetString(read.Data["other"]), Is.EqualTo(Password + "-3"));
        Assert.That(listed.Items.Single(s => s.Metadata.Name == "db").Data.Keys, Is.EquivalentTo(new[] { "password", "other" }));
        Assert.That(cached.Items.Single(s => s.Metadata.Name == "db").Data.Keys, Is.EquivalentTo(new[] { "password", "other" }), "the watch cache holds plain objects");
        Assert.That(watchEvents.Select(e => e.Type), Is.EqualTo(new[] { WatchEventType.Added, WatchEventType.Modified, WatchEventType.Modified }));
        Assert.That(Encoding.UTF8.GetString(watchEvents[0].Secret.Data["password"]), Is.EqualTo(Password));
    }

    [Test]
    public async Task PlainSecretStoredBeforeEncryption_StaysReadable()
    {
        var plain = $"{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{{\"name\":\"old\",\"namespace\":\"default\",\"uid\":\"1\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"}},\"data\":{{\"password\":\"{PasswordBase64}\"}},\"type\":\"Opaque\"}}";
        await _server.Store.CreateAsync("/registry/secrets/default/old", Encoding.UTF8.GetBytes(plain), 0, CancellationToken.None);

        var read = await _client.CoreV1.ReadNamespacedSecretAsync("old", "default");

        Assert.That(Encoding.UTF8.GetString(read.Data["password"]), Is.EqualTo(Password));
    }

    [Test]
    public async Task RotateAndReencrypt_ThroughTheEndpoints_KeepEverySecretReadable()
    {
        for (var i = 0; i < 5; i++)
        {
            await _client.CoreV1.CreateNamespacedSecretAsync(Secret($"s{i}", $"{Password}{i}"), "default");
        }

        var rotate = await RawHttp.SendAsync(_client, _server.Server.Address, HttpMethod.Put, "/v1-mkube/encrypt/config", "{\"stage\":\"rotate_keys\"}");
        var active = (string?)RawHttp.Json(rotate.Body)["activekey"];
        var reencrypt = await RawHttp.SendAsync(_client, _server.Server.Address, HttpMethod.Put, "/v1-mkube/encrypt/config", "{\"stage\":\"reencrypt_active\"}");
        var status = await RawHttp.SendAsync(_client, _server.Server.Address, HttpMethod.Get, "/v1-mkube/encrypt/status", null);

        Assert.That(rotate.Code, Is.EqualTo(200), rotate.Body);
        Assert.That(reencrypt.Code, Is.EqualTo(200), reencrypt.Body);
        Assert.That((int?)RawHttp.Json(reencrypt.Body)["reencrypted"], Is.EqualTo(5));
        var json = RawHttp.Json(status.Body);
        Assert.That((string?)json["activekey"], Is.EqualTo(active));
        Assert.That((string?)json["stage"], Is.EqualTo("reencrypt_finished"));
        Assert.That((bool?)json["enable"], Is.True);
        Assert.That((bool?)json["hashmatch"], Is.True);
        Assert.That(json.ContainsKey("inactivekeys"), Is.False, "the old key was dropped");
        for (var i = 0; i < 5; i++)
        {
            Assert.That(await RawAsync($"s{i}"), Does.StartWith($"k8s:enc:aescbc:v1:{active}:"));
            var secret = await _client.CoreV1.ReadNamespacedSecretAsync($"s{i}", "default");
            Assert.That(Encoding.UTF8.GetString(secret.Data["password"]), Is.EqualTo($"{Password}{i}"));
        }
    }

    [Test]
    public async Task Endpoints_NotSystemMasters_Forbidden()
    {
        using var jane = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = _server.Server.Address.ToString(),
            AccessToken = "jane-token",
            SslCaCerts = [_server.Pki.Ca],
        });
        // The typed client adds its token per request; the raw requests below carry it themselves.
        jane.HttpClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "jane-token");

        var status = await RawHttp.SendAsync(jane, _server.Server.Address, HttpMethod.Get, "/v1-mkube/encrypt/status", null);
        var rotate = await RawHttp.SendAsync(jane, _server.Server.Address, HttpMethod.Put, "/v1-mkube/encrypt/config", "{\"stage\":\"rotate_keys\"}");

        Assert.That(status.Code, Is.EqualTo(403));
        Assert.That((string?)RawHttp.Json(status.Body)["message"], Is.EqualTo("forbidden: User \"jane\" cannot get path \"/v1-mkube/encrypt/status\""));
        Assert.That(rotate.Code, Is.EqualTo(403));
        Assert.That(_encryption.Status().Keys, Has.Count.EqualTo(1), "nothing rotated");
    }

    [Test]
    public async Task Config_UnknownStageOrWrongVerb_IsABadRequest()
    {
        var unknown = await RawHttp.SendAsync(_client, _server.Server.Address, HttpMethod.Put, "/v1-mkube/encrypt/config", "{\"stage\":\"prepare\"}");
        var notJson = await RawHttp.SendAsync(_client, _server.Server.Address, HttpMethod.Put, "/v1-mkube/encrypt/config", "nope");
        var get = await RawHttp.SendAsync(_client, _server.Server.Address, HttpMethod.Get, "/v1-mkube/encrypt/config", null);

        Assert.That(unknown.Code, Is.EqualTo(400));
        Assert.That((string?)RawHttp.Json(unknown.Body)["message"], Is.EqualTo("unknown stage prepare requested"));
        Assert.That(notJson.Code, Is.EqualTo(400));
        Assert.That(get.Code, Is.EqualTo(405));
    }
}
