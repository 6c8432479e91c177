namespace MiniKube.E2E.Tests;

/// <summary>The real kubectl against <c>mkube server</c>, given only the kubeconfig the server wrote.</summary>
[TestFixture]
[Category("E2E")]
public sealed class ApiServerTests : DataDirFixture
{
    [Test]
    public async Task Kubectl_WithWrittenKubeconfig_SeesServerVersionAndHealth()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir));
        await mkube.WaitForLogAsync("components are running", StartTimeout);

        var version = await KubectlAsync("version", "-o", "json");
        var health = await KubectlAsync("get", "--raw", "/healthz");

        Assert.That(version.ExitCode, Is.Zero, version.Error);
        Assert.That(version.Output, Does.Contain("\"gitVersion\": \"v1.32.0\""));
        Assert.That(health.Output.Trim(), Is.EqualTo("ok"));
        Assert.That(File.GetUnixFileMode(KubeconfigPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.ReadAllText(Path.Combine(DataDir, "server", "token")), Does.StartWith("K10"));
    }

    [Test]
    public async Task Request_WithoutClientCertificate_Gets401Status()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var server = File.ReadLines(KubeconfigPath).First(l => l.TrimStart().StartsWith("server:", StringComparison.Ordinal)).Split("server:")[1].Trim();
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler);

        using var denied = await http.GetAsync(new Uri(server + "/api"));
        using var open = await http.GetAsync(new Uri(server + "/version"));

        Assert.That((int)denied.StatusCode, Is.EqualTo(401));
        Assert.That(await denied.Content.ReadAsStringAsync(), Does.Contain("\"reason\":\"Unauthorized\""));
        Assert.That((int)open.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Restart_KeepsObjects_AndAWatchResumesFromItsResourceVersion()
    {
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        string version;
        using (var first = MkubeBinary.Start(null, ServerArgs(DataDir)))
        {
            await first.WaitForLogAsync("components are running", StartTimeout);
            await kubectl.OkAsync("create", "configmap", "kept", "--from-literal=k=1");
            version = await kubectl.OkAsync("get", "configmap", "kept", "-o", "jsonpath={.metadata.resourceVersion}");
            first.Signal(MkubeProcess.SigTerm);
            await first.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        using var second = MkubeBinary.Start(null, ServerArgs(DataDir));
        await second.WaitForLogAsync("components are running", StartTimeout);
        // Port 0: the restarted server listens elsewhere and rewrote the kubeconfig.
        Assert.That(await kubectl.OkAsync("get", "configmap", "kept", "-o", "jsonpath={.data.k}/{.metadata.resourceVersion}"), Is.EqualTo($"1/{version}"));
        await kubectl.OkAsync("patch", "configmap", "kept", "--type=merge", "-p", "{\"data\":{\"k\":\"2\"}}");
        var events = await kubectl.OkAsync("get", "--raw", $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={version}&timeoutSeconds=2");

        var lines = events.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), events);
        Assert.That(lines[0], Does.StartWith("{\"type\":\"MODIFIED\"").And.Contain("\"k\":\"2\""));
    }

    private Task<KubectlResult> KubectlAsync(params string[] args) => new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache")).RunAsync(args);
}
