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

    [Test]
    public async Task CanI_MatchesWhatTheApiThenDoes_AndImpersonationNeedsTheVerb()
    {
        await Kubectl.OkAsync("create", "rolebinding", "sam-view", "--clusterrole=view", "--user=sam", "-n", "default");
        var samConfig = Path.Combine(DataDir, "sam.kubeconfig");
        await MiniKube.Testing.TestIdentities.WriteKubeconfigAsync(KubeconfigPath, Path.Combine(DataDir, "server", "tls"), samConfig, "sam", "qa");
        var sam = new Kubectl(samConfig, Path.Combine(DataDir, "sam-cache"));

        var canList = await sam.RunAsync("auth", "can-i", "list", "pods");
        var canCreate = await sam.RunAsync("auth", "can-i", "create", "configmaps");
        var canListElsewhere = await sam.RunAsync("auth", "can-i", "list", "pods", "-n", "kube-system");
        var list = await sam.RunAsync("auth", "can-i", "--list");
        var whoami = await sam.RunAsync("auth", "whoami");

        Assert.That((canList.ExitCode, canList.Output.Trim()), Is.EqualTo((0, "yes")), canList.ToString());
        Assert.That((await sam.RunAsync("get", "pods")).ExitCode, Is.Zero, "can-i said yes: the list is allowed");
        Assert.That((canCreate.ExitCode, canCreate.Output.Trim()), Is.EqualTo((1, "no")), canCreate.ToString());
        var created = await sam.RunAsync("create", "configmap", "nope");
        Assert.That(created.Error, Does.Contain("configmaps is forbidden: User \"sam\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\""), "can-i said no: the create is refused");
        Assert.That((canListElsewhere.ExitCode, canListElsewhere.Output.Trim()), Is.EqualTo((1, "no")), canListElsewhere.ToString());
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        Assert.That(list.Output, Does.Match(@"(?m)^pods\s+\[\]\s+\[\]\s+\[get list watch\]"), list.ToString());
        Assert.That(whoami.Output, Does.Match(@"Username\s+sam").And.Match(@"Groups\s+\[qa system:authenticated\]"), whoami.ToString());

        var impersonating = await sam.RunAsync("get", "pods", "--as=admin");
        Assert.That(impersonating.ExitCode, Is.Not.Zero, impersonating.ToString());
        Assert.That(impersonating.Error, Does.Contain("users \"admin\" is forbidden: User \"sam\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"));
        var asSam = await Kubectl.RunAsync("auth", "can-i", "create", "configmaps", "--as=sam");
        Assert.That((asSam.ExitCode, asSam.Output.Trim()), Is.EqualTo((1, "no")), "the admin may impersonate, and then gets sam's answer");
    }
}
