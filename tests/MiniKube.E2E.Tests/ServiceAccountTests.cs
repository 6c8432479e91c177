namespace MiniKube.E2E.Tests;

/// <summary>
/// A client inside a pod reaches the API with its service account's rights and only those: the
/// real kubectl in a container (mkube.local/kubectl:1, from scripts/images) with no kubeconfig
/// finds the API at KUBERNETES_SERVICE_HOST, authenticates with the projected token the kubelet
/// wrote, and RBAC decides.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class ServiceAccountTests : DataDirFixture
{
    private const string Node = "e2e-sa-node";

    [Test]
    public async Task InClusterKubectl_ServiceAccountBoundToRole_ListsItsNamespaceAndIsRefusedElsewhere()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await WaitAsync(async () => (await kubectl.RunAsync("get", "node", Node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Output == "True");
        await WaitAsync(async () => (await kubectl.RunAsync("get", "serviceaccount", "default")).ExitCode == 0, "the default ServiceAccount");
        foreach (var setup in new[]
        {
            new[] { "create", "namespace", "other" },
            ["create", "serviceaccount", "reader"],
            ["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"],
            ["create", "rolebinding", "reader-reads-pods", "--role=pod-reader", "--serviceaccount=default:reader"],
        })
        {
            var result = await kubectl.RunAsync(setup);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }

        const string Script = "kubectl get pods -o name; echo rc=$?; kubectl get pods -n other 2>&1; echo rc=$?; kubectl auth whoami -o jsonpath='{.status.userInfo.username}'; echo";
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: in-cluster\nspec:\n  nodeName: {Node}\n  serviceAccountName: reader\n  restartPolicy: Never\n  containers:\n  - name: kubectl\n    image: mkube.local/kubectl:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"{Script}\"]\n";
        var created = await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "in-cluster", "-o", "jsonpath={.status.phase}")).Output is "Succeeded" or "Failed", "the in-cluster kubectl to finish");
        var logs = (await kubectl.RunAsync("logs", "in-cluster")).Output;
        var volume = (await kubectl.RunAsync("get", "pod", "in-cluster", "-o", "jsonpath={.spec.volumes[0].name}")).Output;

        Assert.That(volume, Does.StartWith("kube-api-access-"), "the ServiceAccount admission plugin adds the token volume");
        Assert.That(logs, Does.Contain("pod/in-cluster\nrc=0\n"), logs);
        Assert.That(logs, Does.Contain("Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:reader\" cannot list resource \"pods\" in API group \"\" in the namespace \"other\"\nrc=1\n"), logs);
        Assert.That(logs, Does.EndWith("system:serviceaccount:default:reader\n"), logs);
    }
}
