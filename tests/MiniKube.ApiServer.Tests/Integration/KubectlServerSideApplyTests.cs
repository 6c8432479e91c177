using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>The real kubectl's server-side apply against an in-process API server: conflicts, --force-conflicts, migration from client-side apply.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubectlServerSideApplyTests : ApiServerFixture
{
    private const string Kubectl = "/usr/bin/kubectl";

    [Test]
    public async Task ApplyServerSide_ConflictThenForce_ManagedFieldsShowBothManagers()
    {
        var first = await WriteAsync("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  k: v1\n  other: x\n");
        var second = await WriteAsync("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  k: v2\n");

        var applied = await RunAsync("apply", "--server-side", "-f", first);
        Assert.That(applied.Output, Does.Contain("configmap/demo serverside-applied"), applied.Error);

        var conflict = await RunAsync("apply", "--server-side", "--field-manager=other", "-f", second);
        Assert.That(conflict.Code, Is.Not.Zero);
        Assert.That(conflict.Error, Does.Contain("Apply failed with 1 conflict: conflict with \"kubectl\": .data.k"));

        var forced = await RunAsync("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", second);
        Assert.That(forced.Code, Is.Zero, forced.Error);

        var shown = await RunAsync("get", "configmap", "demo", "-o", "json", "--show-managed-fields");
        var managers = JsonNode.Parse(shown.Output)!["metadata"]!["managedFields"]!.AsArray().Select(e => (string?)e!["manager"]).ToList();
        Assert.That(managers, Is.EquivalentTo(new[] { "kubectl", "other" }));
        Assert.That((await RunAsync("get", "configmap", "demo", "-o", "yaml")).Output, Does.Not.Contain("managedFields"));
    }

    [Test]
    public async Task ApplyClientSideThenServerSide_MigratesLastAppliedOwnership()
    {
        var file = await WriteAsync("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\ndata:\n  k: v1\n");
        Assert.That((await RunAsync("apply", "-f", file)).Code, Is.Zero);

        var migrated = await RunAsync("apply", "--server-side", "-f", file);
        Assert.That(migrated.Code, Is.Zero, migrated.Error);
        var again = await RunAsync("apply", "--server-side", "-f", file, "-v=6");
        Assert.That(again.Code, Is.Zero, again.Error);
        Assert.That(again.Error, Does.Not.Contain("kubectl-last-applied"), "no extra last-applied PATCH once ownership is migrated");

        var entries = JsonNode.Parse((await RunAsync("get", "configmap", "csa", "-o", "json", "--show-managed-fields")).Output)!["metadata"]!["managedFields"]!.AsArray();
        var apply = entries.Single(e => (string?)e!["manager"] == "kubectl" && (string?)e!["operation"] == "Apply")!;
        Assert.That(apply["fieldsV1"]!["f:data"]!["f:k"], Is.Not.Null);
        Assert.That(entries.Any(e => e!["fieldsV1"]!.ToJsonString().Contains("last-applied-configuration", StringComparison.Ordinal) && (string?)e["operation"] == "Update"), Is.False,
            "no Update manager keeps the last-applied annotation");
    }

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(Server.Directory, name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig=" + Server.KubeconfigPath);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(Server.Directory, "kubectl-cache"));
        start.ArgumentList.Add("--namespace=default");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["HOME"] = Server.Directory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
