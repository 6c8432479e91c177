namespace MiniKube.E2E.Tests;

/// <summary>
/// The day-to-day kubectl verbs against one <c>mkube server</c>, each test in its own namespace,
/// with the real kubectl given only the kubeconfig the server wrote (issue 4's "Done when").
/// The API server alone: no agent, scheduler or controllers, so objects stay exactly as the
/// kubectl verbs leave them (ExamplesTests covers the whole cluster).
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class KubectlWorkflowTests : ApiServerAloneFixture
{
    [Test]
    public async Task Discovery_VersionClusterInfoApiResourcesAndExplain()
    {
        Assert.That(await Kubectl.OkAsync("version"), Does.Contain("Server Version: v1.32.0"));
        Assert.That(await Kubectl.OkAsync("cluster-info"), Does.Contain("Kubernetes control plane").And.Contain("is running at https://127.0.0.1:"));
        var resources = await Kubectl.OkAsync("api-resources");
        Assert.That(resources, Does.Match(@"deployments\s+deploy\s+apps/v1\s+true\s+Deployment"));
        Assert.That(resources, Does.Match(@"pods\s+po\s+v1\s+true\s+Pod"));
        Assert.That(resources, Does.Match(@"leases\s+coordination.k8s.io/v1\s+true\s+Lease"));
        var explain = await Kubectl.OkAsync("explain", "pod.spec.containers");
        Assert.That(explain, Does.Contain("FIELDS:").And.Contain("image\t<string>").And.Contain("ports\t<[]ContainerPort>"));
    }

    [Test]
    public async Task ComponentStatuses_ShowTheStoreHealthy()
    {
        var statuses = await Kubectl.RunAsync("get", "componentstatuses");

        Assert.That(statuses.ExitCode, Is.Zero, statuses.ToString());
        Assert.That(statuses.Output, Does.Match(@"etcd-0\s+Healthy\s+ok"));
        Assert.That(statuses.Output, Does.Contain("scheduler").And.Contain("controller-manager"));
        Assert.That(statuses.Error, Does.Contain("Warning: v1 ComponentStatus is deprecated"));
    }

    [Test]
    public async Task ConfigMap_EveryVerb()
    {
        var ns = await NamespaceAsync("cm-verbs");
        const string manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n";
        Assert.That(await Stdin(manifest, "create", "-n", ns, "-f", "-"), Does.Contain("configmap/settings created"));
        var again = await Kubectl.RunWithAsync(manifest, null, "create", "-n", ns, "-f", "-");
        Assert.That(again.Error, Does.Contain("Error from server (AlreadyExists)").And.Contain("configmaps \"settings\" already exists"));
        Assert.That(await Kubectl.OkAsync("get", "configmaps", "-n", ns), Does.Match(@"settings\s+1\s+\d+s"));
        Assert.That(await Kubectl.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "yaml"), Does.Contain("color: blue").And.Contain("resourceVersion:").And.Contain("uid:"));
        Assert.That(await Kubectl.OkAsync("describe", "configmap", "settings", "-n", ns), Does.Contain("Name:         settings").And.Contain("color:"));

        await Kubectl.OkAsync("label", "configmap", "settings", "-n", ns, "tier=web");
        await Kubectl.OkAsync("annotate", "configmap", "settings", "-n", ns, "owner=ops");
        await Kubectl.OkAsync("patch", "configmap", "settings", "-n", ns, "-p", "{\"data\":{\"size\":\"large\"}}");
        await Kubectl.OkAsync("patch", "configmap", "settings", "-n", ns, "--type=merge", "-p", "{\"data\":{\"color\":\"green\"}}");
        await Kubectl.OkAsync("patch", "configmap", "settings", "-n", ns, "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/data/size\"}]");
        Assert.That(await Json(ns, "configmap", "settings", "{.metadata.labels.tier}/{.metadata.annotations.owner}/{.data}"), Is.EqualTo("web/ops/{\"color\":\"green\"}"));

        var live = await Kubectl.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "yaml");
        await Stdin(live.Replace("color: green", "color: red", StringComparison.Ordinal), "replace", "-f", "-");
        Assert.That(await Json(ns, "configmap", "settings", "{.data.color}"), Is.EqualTo("red"));
        var stale = await Kubectl.RunWithAsync(live, null, "replace", "-f", "-");
        Assert.That(stale.Error, Does.Contain("Error from server (Conflict)").And.Contain("the object has been modified"));

        var editor = Path.Combine(DataDir, "edit-cm.sh");
        await File.WriteAllTextAsync(editor, "#!/bin/sh\nsed -i 's/color: red/color: purple/' \"$1\"\n");
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var edited = await Kubectl.RunWithAsync(null, new Dictionary<string, string> { ["KUBE_EDITOR"] = editor }, "edit", "configmap", "settings", "-n", ns);
        Assert.That(edited.ExitCode, Is.Zero, edited.ToString());
        Assert.That(await Json(ns, "configmap", "settings", "{.data.color}"), Is.EqualTo("purple"));

        Assert.That(await Kubectl.OkAsync("delete", "configmap", "settings", "-n", ns), Does.Contain("configmap \"settings\" deleted"));
        Assert.That((await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns)).Error, Does.Contain("configmaps \"settings\" not found"));
    }

    [Test]
    public async Task Apply_CreatedUnchangedConfigured_ThenServerSide()
    {
        var ns = await NamespaceAsync("apply");
        var manifest = Deployment("app", replicas: 2, image: "mkube.local/busybox:1");
        Assert.That(await Stdin(manifest, "apply", "-n", ns, "-f", "-"), Does.Contain("deployment.apps/app created"));
        Assert.That(await Stdin(manifest, "apply", "-n", ns, "-f", "-"), Does.Contain("deployment.apps/app unchanged"));
        Assert.That(await Stdin(Deployment("app", replicas: 3, image: "mkube.local/busybox:2"), "apply", "-n", ns, "-f", "-"), Does.Contain("deployment.apps/app configured"));
        Assert.That(await Json(ns, "deployment", "app", "{.spec.replicas}/{.spec.template.spec.containers[0].image}/{.metadata.generation}"), Is.EqualTo("3/mkube.local/busybox:2/2"));

        Assert.That(await Stdin(Deployment("app", replicas: 4, image: "mkube.local/busybox:2"), "apply", "--server-side", "--force-conflicts", "-n", ns, "-f", "-"), Does.Contain("deployment.apps/app serverside-applied"));
        Assert.That(await Stdin(Deployment("ssa", replicas: 1, image: "mkube.local/busybox:1"), "apply", "--server-side", "-n", ns, "-f", "-"), Does.Contain("deployment.apps/ssa serverside-applied"));
        Assert.That(await Json(ns, "deployment", "app", "{.spec.replicas}"), Is.EqualTo("4"));
        Assert.That(await Json(ns, "deployment", "ssa", "{.spec.template.spec.containers[0].name}"), Is.EqualTo("main"));
    }

    [Test]
    public async Task Deployment_CreateScalePatchEditDescribeDelete()
    {
        var ns = await NamespaceAsync("deploy");
        Assert.That(await Kubectl.OkAsync("create", "deployment", "web", "-n", ns, "--image=mkube.local/busybox:1", "--replicas=2"), Does.Contain("deployment.apps/web created"));
        Assert.That(await Kubectl.OkAsync("get", "deployments", "-n", ns), Does.Match(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s*\nweb\s+0/2\s+0\s+0\s+\d+s"));
        await Kubectl.OkAsync("scale", "deployment", "web", "-n", ns, "--replicas=5");
        Assert.That(await Json(ns, "deployment", "web", "{.spec.replicas}"), Is.EqualTo("5"));
        await Kubectl.OkAsync("patch", "deployment", "web", "-n", ns, "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"busybox\",\"image\":\"mkube.local/busybox:2\"}]}}}}");
        Assert.That(await Json(ns, "deployment", "web", "{.spec.template.spec.containers[*].image}"), Is.EqualTo("mkube.local/busybox:2"));
        var editor = Path.Combine(DataDir, "edit-deploy.sh");
        await File.WriteAllTextAsync(editor, "#!/bin/sh\nsed -i 's/replicas: 5/replicas: 1/' \"$1\"\n");
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var edited = await Kubectl.RunWithAsync(null, new Dictionary<string, string> { ["KUBE_EDITOR"] = editor }, "edit", "deployment", "web", "-n", ns);
        Assert.That(edited.ExitCode, Is.Zero, edited.ToString());
        Assert.That(await Json(ns, "deployment", "web", "{.spec.replicas}"), Is.EqualTo("1"));
        var described = await Kubectl.OkAsync("describe", "deployment", "web", "-n", ns);
        Assert.That(described, Does.Contain("Name:                   web").And.Contain("mkube.local/busybox:2"));
        Assert.That(await Kubectl.OkAsync("delete", "deployment", "web", "-n", ns), Does.Contain("deployment.apps \"web\" deleted"));
    }

    [Test]
    public async Task Secret_CreateGetDescribeDelete()
    {
        var ns = await NamespaceAsync("secret");
        await Kubectl.OkAsync("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=s3cret");
        Assert.That(await Kubectl.OkAsync("get", "secrets", "-n", ns), Does.Match(@"creds\s+Opaque\s+1\s+\d+s"));
        Assert.That(await Json(ns, "secret", "creds", "{.data.password}"), Is.EqualTo(Convert.ToBase64String("s3cret"u8)));
        Assert.That(await Kubectl.OkAsync("describe", "secret", "creds", "-n", ns), Does.Contain("password:  6 bytes"));
        await Kubectl.OkAsync("delete", "secret", "creds", "-n", ns);
    }

    [Test]
    public async Task Pod_RunWatchDeleteAndWaitForDelete()
    {
        var ns = await NamespaceAsync("pods");
        using var watch = Kubectl.Start(false, null, "get", "pods", "-n", ns, "-w");
        var lines = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (await watch.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        await Task.Delay(1000);
        Assert.That(await Kubectl.OkAsync("run", "box", "-n", ns, "--image=mkube.local/busybox:1", "--", "sleep", "3600"), Does.Contain("pod/box created"));
        Assert.That(await Kubectl.OkAsync("get", "pods", "-n", ns), Does.Match(@"box\s+0/1\s+Pending\s+0\s+\d+s"));
        Assert.That(await Kubectl.OkAsync("get", "pod", "box", "-n", ns, "-o", "yaml"), Does.Contain("restartPolicy: Always").And.Contain("dnsPolicy: ClusterFirst"));
        await Kubectl.OkAsync("label", "pod", "box", "-n", ns, "tier=batch");
        await Kubectl.OkAsync("annotate", "pod", "box", "-n", ns, "note=hi");
        await Kubectl.OkAsync("patch", "pod", "box", "-n", ns, "--type=json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"mkube.local/busybox:2\"}]");
        var described = await Kubectl.OkAsync("describe", "pod", "box", "-n", ns);
        Assert.That(described, Does.Contain("tier=batch").And.Contain("note: hi").And.Contain("mkube.local/busybox:2").And.Contain("Status:           Pending"));
        await Kubectl.OkAsync("delete", "pod", "box", "-n", ns, "--wait=false");
        await Kubectl.OkAsync("wait", "--for=delete", "pod/box", "-n", ns, "--timeout=30s");
        await WaitUntilAsync(() => { lock (lines) { return lines.Any(l => l.StartsWith("box", StringComparison.Ordinal)); } });
        watch.Kill();
        await reader;
        Assert.That(lines[0], Does.Match(@"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE"));
    }

    [Test]
    public async Task InvalidObject_Gets422WithTheFieldsNamed_AndIsNotStored()
    {
        var ns = await NamespaceAsync("invalid");
        var result = await Kubectl.RunWithAsync(Deployment("Bad_Name", replicas: -1, image: "x"), null, "create", "-n", ns, "-f", "-");
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Error, Does.Contain("is invalid").And.Contain("metadata.name").And.Contain("spec.replicas"));
        var unknown = await Kubectl.RunWithAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n", null, "create", "-n", ns, "-f", "-");
        Assert.That(unknown.Error, Does.Contain("unknown field \"datta\""));
        Assert.That(await Kubectl.OkAsync("get", "configmaps,deployments", "-n", ns, "-o", "name"), Does.Not.Contain("typo").And.Not.Contain("bad"));
    }

    private async Task<string> NamespaceAsync(string name)
    {
        // No controller manager here: the default ServiceAccount the ServiceAccount admission plugin wants for pods is made by hand.
        await Stdin($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: {name}\n", "apply", "-f", "-");
        return name;
    }

    private async Task<string> Stdin(string input, params string[] args)
    {
        var result = await Kubectl.RunWithAsync(input, null, args);
        Assert.That(result.ExitCode, Is.Zero, $"kubectl {string.Join(' ', args)}\n{result}");
        return result.Output;
    }

    private Task<string> Json(string ns, string kind, string name, string jsonPath) =>
        Kubectl.OkAsync("get", kind, name, "-n", ns, "-o", $"jsonpath={jsonPath}");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("condition not met within 20 s");
            }
            await Task.Delay(100);
        }
    }

    private static string Deployment(string name, int replicas, string image) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels: {"{"}app: {name.ToLowerInvariant()}{"}"}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: {name.ToLowerInvariant()}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name.ToLowerInvariant()}{"}"}
            spec:
              containers:
              - name: main
                image: {image}
                ports:
                - containerPort: 8080
        """;
}
