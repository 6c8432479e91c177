namespace MiniKube.E2E.Tests;

/// <summary>
/// The auto-deploy manifests of the published binary, seen with the real kubectl: files in
/// DATA_DIR/server/manifests at start are applied under the field manager mkube-manifests
/// (namespaced objects without a namespace in default); a new file (a CRD and its resource), a
/// changed file (a document removed deletes its object), a <c>.skip</c> and a removed file (their
/// objects deleted, unlike k3s); an invalid file reported as events on its record and in the log,
/// its good document applied, the server still serving. No pod starts (--disable-agent).
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class AutoDeployManifestsTests : DataDirFixture
{
    [Test]
    public async Task Manifests_AppliedAtStartAndOnChange_RemovedWithTheirFiles_InvalidOnesReported()
    {
        var manifests = Path.Combine(DataDir, "server", "manifests");
        Directory.CreateDirectory(manifests);
        Write(manifests, "tools.yaml", Namespace + "---\n" + ConfigMap("settings", "e2e-tools", "slow") + "---\n" + ConfigMap("plain", null, "x"));
        Write(manifests, "held.yaml", ConfigMap("held", null, "x"));
        Write(manifests, "held.yaml.skip", "");

        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--disable-scheduler", "--disable", "ingress,dns,metrics,dashboard"));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));

        // Present at start.
        await WaitAsync(() => ExistsAsync(kubectl, "configmap", "plain", "-n", "default"), "the start files applied", 30);
        var managers = await kubectl.OkAsync("get", "configmap", "settings", "-n", "e2e-tools", "-o", "jsonpath={.metadata.managedFields[*].manager} {.data.mode}");
        Assert.That(managers, Is.EqualTo("mkube-manifests slow"));
        Assert.That(await ExistsAsync(kubectl, "configmap", "held"), Is.False, "held.yaml has a .skip beside it");

        // A new file: a CRD and its resource in one file, the resource first.
        Write(manifests, "widgets.yaml", Widget + "---\n" + TestCrds.Sized("e2e.example.com", "widgets", "Widget"));
        await WaitAsync(() => ExistsAsync(kubectl, "widgets.e2e.example.com", "first"), "the new file's custom resource", 30);

        // A changed file: new data, and the document without a namespace removed.
        Write(manifests, "tools.yaml", Namespace + "---\n" + ConfigMap("settings", "e2e-tools", "fast"));
        await WaitAsync(async () => await kubectl.OkAsync("get", "configmap", "settings", "-n", "e2e-tools", "-o", "jsonpath={.data.mode}") == "fast"
            && !await ExistsAsync(kubectl, "configmap", "plain"), "the changed file applied and its removed document deleted", 30);

        // A .skip and a removed file delete what their manifests made.
        Write(manifests, "widgets.yaml.skip", "");
        File.Delete(Path.Combine(manifests, "tools.yaml"));
        await WaitAsync(async () => !await ExistsAsync(kubectl, "crd", "widgets.e2e.example.com") && !await ExistsAsync(kubectl, "namespace", "e2e-tools"),
            "the skipped file's CRD and the removed file's namespace deleted", 60);

        // An invalid file: its good document applies; the bad ones are events and log lines.
        Write(manifests, "bad.yaml", ConfigMap("good", null, "x") + "---\nkind: [unclosed\n---\n" + ConfigMap("Bad_Name", null, "x"));
        await WaitAsync(() => ExistsAsync(kubectl, "configmap", "good"), "the invalid file's good document", 30);
        var events = "";
        await WaitAsync(async () =>
        {
            events = await kubectl.OkAsync("get", "events", "-n", "kube-system", "-o", "jsonpath={range .items[*]}{.reason} {.message}{\"\\n\"}{end}");
            return events.Contains("ParseManifestFailed", StringComparison.Ordinal) && events.Contains("ApplyManifestFailed Applying ConfigMap default/Bad_Name", StringComparison.Ordinal);
        }, "the invalid file's events", 30);
        Assert.That(events, Does.Contain("Parse manifest at \"bad.yaml\" failed: document 2: not valid YAML"));
        Assert.That(server.Stderr, Has.Some.Contains("Manifest bad.yaml, document 2, is invalid and not applied"));
        Assert.That(server.Stderr, Has.Some.Contains("Manifest bad.yaml, document 3: the API server refused ConfigMap default/Bad_Name"));
        Assert.That(server.HasExited, Is.False);
        Assert.That(await kubectl.OkAsync("get", "--raw", "/readyz"), Is.EqualTo("ok"));
    }

    private static async Task<bool> ExistsAsync(Kubectl kubectl, params string[] what)
    {
        var result = await kubectl.RunAsync(["get", .. what, "-o", "name"]);
        return result.ExitCode == 0;
    }

    // Written whole and renamed into place, as a careful operator (or a config tool) does.
    private static void Write(string directory, string name, string content)
    {
        var temp = Path.Combine(directory, "." + name + ".tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, Path.Combine(directory, name), overwrite: true);
    }

    private static string ConfigMap(string name, string? ns, string mode) =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n" + (ns is null ? "" : $"  namespace: {ns}\n") + $"data:\n  mode: {mode}\n";

    private const string Namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-tools\n";

    private const string Widget = """
        apiVersion: e2e.example.com/v1
        kind: Widget
        metadata:
          name: first
        spec:
          size: 3

        """;
}
