namespace MiniKube.E2E.Tests;

/// <summary>
/// `kubectl auth whoami` and `kubectl auth can-i` (kubectl ≥1.32 sends the reviews as protobuf)
/// and `--as` impersonation, with the real kubectl against the API server alone. No pods start.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class KubectlAuthTests : ApiServerAloneFixture
{
    [Test]
    public async Task Whoami_Admin_ShowsUserAndGroups()
    {
        var output = await Kubectl.OkAsync("auth", "whoami");

        Assert.That(output, Does.Match(@"ATTRIBUTE\s+VALUE"));
        Assert.That(output, Does.Match(@"Username\s+admin"));
        Assert.That(output, Does.Match(@"Groups\s+\[system:masters system:authenticated\]"));
    }

    [Test]
    public async Task Whoami_AsAnotherUser_AdminMayImpersonate()
    {
        var output = await Kubectl.OkAsync("auth", "whoami", "--as=jane", "--as-group=system:masters", "--as-group=dev");

        Assert.That(output, Does.Match(@"Username\s+jane"));
        Assert.That(output, Does.Match(@"Groups\s+\[system:masters dev system:authenticated\]"));
    }

    [Test]
    public async Task CanI_Admin_YesForPodsAndPaths()
    {
        Assert.That((await Kubectl.OkAsync("auth", "can-i", "create", "pods")).Trim(), Is.EqualTo("yes"));
        Assert.That((await Kubectl.OkAsync("auth", "can-i", "get", "/healthz")).Trim(), Is.EqualTo("yes"));
        Assert.That((await Kubectl.OkAsync("auth", "can-i", "delete", "nodes", "--subresource=status")).Trim(), Is.EqualTo("yes"));
    }

    [Test]
    public async Task CanIList_Admin_PrintsTheRulesTable()
    {
        var result = await Kubectl.RunAsync("auth", "can-i", "--list", "-n", "default");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Match(@"Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs"));
    }
}
