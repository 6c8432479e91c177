namespace MiniKube.E2E.Tests;

/// <summary>
/// RBAC with the real kubectl against <c>mkube server</c> (issue 14's first "Done when"): the
/// admin binds a user to <c>view</c>; that user, with a kubeconfig of her own client certificate,
/// reads but is refused writes with upstream's message. No pods start.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class RbacKubectlTests : ApiServerAloneFixture
{
    [Test]
    public async Task ViewUser_ReadsWithKubectl_AndIsRefusedWrites()
    {
        Assert.That(await Kubectl.OkAsync("create", "clusterrolebinding", "jane-view", "--clusterrole=view", "--user=jane"),
            Does.Contain("clusterrolebinding.rbac.authorization.k8s.io/jane-view created"));
        Assert.That(await Kubectl.OkAsync("get", "clusterrolebinding", "jane-view", "-o", "wide"), Does.Match(@"jane-view\s+ClusterRole/view\s+\S+\s+jane"));
        Assert.That(await Kubectl.OkAsync("get", "clusterroles"), Does.Match(@"cluster-admin\s+\d{4}-\d\d-\d\dT"));
        var janeConfig = Path.Combine(DataDir, "jane.kubeconfig");
        await MiniKube.Testing.TestIdentities.WriteKubeconfigAsync(KubeconfigPath, Path.Combine(DataDir, "server", "tls"), janeConfig, "jane");
        var jane = new Kubectl(janeConfig, Path.Combine(DataDir, "jane-cache"));

        var pods = await jane.RunAsync("get", "pods");
        var deployment = await jane.RunAsync("create", "deployment", "web", "--image=nginx");

        Assert.That(pods.ExitCode, Is.Zero, pods.ToString());
        Assert.That(pods.Error, Does.Contain("No resources found in default namespace."));
        Assert.That(deployment.ExitCode, Is.Not.Zero, deployment.ToString());
        Assert.That(deployment.Error, Does.Contain("deployments.apps is forbidden: User \"jane\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\""));
        var secrets = await jane.RunAsync("get", "secrets", "-n", "kube-system");
        Assert.That(secrets.Error, Does.Contain("secrets is forbidden: User \"jane\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kube-system\""));
    }
}
