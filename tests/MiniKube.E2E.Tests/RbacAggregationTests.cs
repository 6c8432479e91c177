namespace MiniKube.E2E.Tests;

/// <summary>
/// ClusterRole aggregation with the real kubectl against a server whose controller manager runs
/// (issue 14): a custom role labelled aggregate-to-edit adds its rules to <c>edit</c>, so a user
/// bound to <c>edit</c> gains them, and loses them when the custom role goes. No pods start.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class RbacAggregationTests : DataDirFixture
{
    [Test]
    public async Task CustomRoleLabelledAggregateToEdit_AddsItsRulesToEdit_UntilItIsDeleted()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent"));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await kubectl.OkAsync("create", "rolebinding", "ed-edit", "--clusterrole=edit", "--user=ed", "-n", "default");
        const string Manifest = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: quota-setter
              labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
            rules:
            - apiGroups: [""]
              resources: [resourcequotas]
              verbs: [create, delete]
            """;
        // A resource edit does not grant writes to (upstream's edit only reads quotas).
        Assert.That((await kubectl.RunAsync("auth", "can-i", "create", "resourcequotas", "--as=ed")).Output.Trim(), Is.EqualTo("no"));

        var applied = await kubectl.RunWithAsync(Manifest, null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());

        await WaitAsync(async () => (await kubectl.RunAsync("auth", "can-i", "create", "resourcequotas", "--as=ed")).Output.Trim() == "yes", "ed may create quotas through edit", seconds: 30);
        var created = await kubectl.RunAsync("create", "quota", "small", "--hard=pods=5", "--as=ed");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        await kubectl.OkAsync("delete", "clusterrole", "quota-setter");
        await WaitAsync(async () => (await kubectl.RunAsync("auth", "can-i", "create", "resourcequotas", "--as=ed")).Output.Trim() == "no", "the quota rule gone from edit", seconds: 30);
    }
}
