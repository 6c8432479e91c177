using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Manifests;
using MiniKube.Testing;

namespace MiniKube.Addons.Tests.Manifests;

/// <summary>
/// The deploy loop against an in-process API server: what a file applies, under which manager and
/// namespace; CRDs with their resources in one file; removal of documents, files and skipped
/// files, across a restart of the loop (a new deployer reads the records); invalid documents as
/// events and log lines while the rest applies; the watcher picking up a new file.
/// </summary>
[Category("Integration")]
public sealed class ManifestDeployerTests
{
    private TestApiServer _api = null!;
    private Kubernetes _client = null!;
    private CollectingLoggerProvider _logs = null!;
    private ILoggerFactory _loggers = null!;
    private string _dir = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _client = _api.Client();
        _logs = new CollectingLoggerProvider();
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        _dir = Path.Combine(_api.Directory, "manifests");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _loggers.Dispose();
        _logs.Dispose();
        _client.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task PassAsync_NewFile_AppliesEachObjectWithItsManagerAndNamespace()
    {
        Write("app.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: tools}
            data: {mode: fast}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: tools}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: plain}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader, namespace: ignored}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
            """);

        var retry = await Deployer().PassAsync(CancellationToken.None);

        var settings = await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", "tools");
        Assert.That(retry, Is.False);
        Assert.That(settings.Data["mode"], Is.EqualTo("fast"));
        Assert.That(settings.Metadata.ManagedFields.Select(m => (m.Manager, m.Operation)), Is.EqualTo(new[] { ("mkube-manifests", "Apply") }));
        Assert.That((await _client.CoreV1.ReadNamespacedConfigMapAsync("plain", "default")).Metadata.Name, Is.EqualTo("plain"));
        Assert.That((await _client.RbacAuthorizationV1.ReadClusterRoleAsync("reader")).Rules.Single().Verbs, Is.EqualTo(new[] { "get" }));
        var record = await _client.CoreV1.ReadNamespacedConfigMapAsync(ManifestRecords.NameFor("app.yaml"), "kube-system");
        Assert.That(ManifestRecords.Objects(record).Select(o => o.ToString()), Is.EquivalentTo(new[] { "ConfigMap tools/settings", "Namespace tools", "ConfigMap default/plain", "ClusterRole reader" }));
    }

    [Test]
    public async Task PassAsync_CrdFollowedByItsResources_AppliesBothInOnePass()
    {
        Write("widgets.yaml", """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: first}
            spec: {size: 3}
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {size: {type: integer}}}
            """);

        var retry = await Deployer().PassAsync(CancellationToken.None);

        var widget = (System.Text.Json.JsonElement)await _client.CustomObjects.GetNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets", "first");
        Assert.That(retry, Is.False);
        Assert.That(widget.GetProperty("spec").GetProperty("size").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task PassAsync_DocumentThenFileRemoved_DeletesWhatItMadeAcrossRestarts()
    {
        Write("pair.yaml", ConfigMap("one") + "---\n" + ConfigMap("two"));
        await Deployer().PassAsync(CancellationToken.None);

        Write("pair.yaml", ConfigMap("one"));
        await Deployer().PassAsync(CancellationToken.None);
        var afterEdit = await ConfigMapNamesAsync();

        File.Delete(Path.Combine(_dir, "pair.yaml"));
        await Deployer().PassAsync(CancellationToken.None);

        Assert.That(afterEdit, Is.EqualTo(new[] { "one" }));
        Assert.That(await ConfigMapNamesAsync(), Is.Empty);
        Assert.That(await RecordsAsync(), Is.Empty);
    }

    [Test]
    public async Task PassAsync_SkipFileAdded_DeletesWhatTheManifestMade_AndRemovingItAppliesAgain()
    {
        Write("one.yaml", ConfigMap("one"));
        var deployer = Deployer();
        await deployer.PassAsync(CancellationToken.None);

        Write("one.yaml.skip", "");
        await deployer.PassAsync(CancellationToken.None);
        var skipped = await ConfigMapNamesAsync();
        File.Delete(Path.Combine(_dir, "one.yaml.skip"));
        await deployer.PassAsync(CancellationToken.None);

        Assert.That(skipped, Is.Empty);
        Assert.That(await ConfigMapNamesAsync(), Is.EqualTo(new[] { "one" }));
    }

    [Test]
    public async Task PassAsync_ObjectMovedToAnotherFile_IsKept()
    {
        Write("a.yaml", ConfigMap("shared"));
        var deployer = Deployer();
        await deployer.PassAsync(CancellationToken.None);

        File.Delete(Path.Combine(_dir, "a.yaml"));
        Write("b.yaml", ConfigMap("shared"));
        await deployer.PassAsync(CancellationToken.None);

        Assert.That(await ConfigMapNamesAsync(), Is.EqualTo(new[] { "shared" }));
        Assert.That(await RecordsAsync(), Is.EqualTo(new[] { "b.yaml" }));
    }

    [Test]
    public async Task PassAsync_AnotherServersRecord_IsLeftAlone()
    {
        Write("theirs.yaml", ConfigMap("theirs"));
        await Deployer("server-2").PassAsync(CancellationToken.None);
        File.Delete(Path.Combine(_dir, "theirs.yaml"));

        await Deployer("server-1").PassAsync(CancellationToken.None);

        Assert.That(await ConfigMapNamesAsync(), Is.EqualTo(new[] { "theirs" }));
    }

    [Test]
    public async Task RunAsync_InvalidDocuments_EventsOnTheRecordAndOneLogLineEach_TheRestApplies()
    {
        Write("mixed.yaml", ConfigMap("good") + """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: [broken
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: Bad_Name}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: token}
            type: kubernetes.io/tls
            stringData: {password: hunter2}
            """);
        using var stop = new CancellationTokenSource();
        var run = Deployer(resync: TimeSpan.FromMinutes(5)).RunAsync(stop.Token);

        var events = await EventuallyAsync(async () =>
        {
            var list = await _client.CoreV1.ListNamespacedEventAsync("kube-system");
            return list.Items.Where(e => e.InvolvedObject.Name == ManifestRecords.NameFor("mixed.yaml")).ToList();
        }, e => e.Count >= 3);
        await stop.CancelAsync();
        await run;

        Assert.That(await ConfigMapNamesAsync(), Is.EqualTo(new[] { "good" }));
        Assert.That(events.Select(e => (e.Type, e.Reason)), Has.All.EqualTo(("Warning", "ParseManifestFailed")).Or.EqualTo(("Warning", "ApplyManifestFailed")));
        Assert.That(events.Select(e => e.Message), Has.Some.Contains("document 2: not valid YAML"));
        Assert.That(events.Select(e => e.Message), Has.Some.Contains("Applying ConfigMap default/Bad_Name (document 3)"));
        Assert.That(events.Select(e => e.Message), Has.Some.Contains("Applying Secret default/token (document 4)").And.Some.Contains("Invalid (422)"));
        Assert.That(events.Select(e => e.Message), Has.None.Contains("hunter2"));
        var warnings = _logs.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();
        Assert.That(warnings.Count(l => l.Contains("mixed.yaml", StringComparison.Ordinal)), Is.EqualTo(3), string.Join("\n", warnings));
        Assert.That(warnings, Has.None.Contains("hunter2").And.None.Contains("\n"));
    }

    [Test]
    public async Task RunAsync_FileWrittenWhileRunning_IsAppliedByTheWatcher()
    {
        using var stop = new CancellationTokenSource();
        var run = Deployer(resync: TimeSpan.FromMinutes(5)).RunAsync(stop.Token);
        await EventuallyAsync(RecordsAsync, r => true);

        Write("late.yaml", ConfigMap("late"));

        var names = await EventuallyAsync(ConfigMapNamesAsync, n => n.Count == 1);
        await stop.CancelAsync();
        await run;
        Assert.That(names, Is.EqualTo(new[] { "late" }));
    }

    private ManifestDeployer Deployer(string server = "server-1", TimeSpan? resync = null) =>
        new(_client, new ManifestOptions { Directory = _dir, Server = server, Resync = resync ?? TimeSpan.FromSeconds(30), Debounce = TimeSpan.FromMilliseconds(50) },
            _loggers.CreateLogger<ManifestDeployer>());

    private void Write(string name, string content)
    {
        var temp = Path.Combine(_dir, "." + name + ".tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, Path.Combine(_dir, name), overwrite: true);
    }

    private static string ConfigMap(string name) => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{k: v}}\n";

    private async Task<List<string>> ConfigMapNamesAsync() =>
        [.. (await _client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Select(c => c.Metadata.Name).Where(n => n != "kube-root-ca.crt").Order()];

    private async Task<List<string>> RecordsAsync() =>
        [.. (await _client.CoreV1.ListNamespacedConfigMapAsync("kube-system", labelSelector: ManifestRecords.Selector)).Items.Select(c => ManifestRecords.Source(c)!)];

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }
}
