using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Pods on the real Docker engine through <c>mkube server</c>'s local agent, driven with the
/// real kubectl. scripts/test builds the local images (scripts/images) and starts dockerd.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class DockerPodTests : DataDirFixture
{
    private const string Node = "e2e-docker-node";

    [Test]
    public async Task BoundPod_RunsOnDocker_LogsAndExecWork_AndDeletionStopsItsContainers()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await WaitAsync(async () => (await kubectl.RunAsync("get", "node", Node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Output == "True");

        var shared = Path.Combine(DataDir, "shared");
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  nodeName: {Node}\n  terminationGracePeriodSeconds: 5\n  volumes:\n  - name: shared\n    hostPath: {{path: {shared}, type: DirectoryOrCreate}}\n  containers:\n  - name: main\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"echo started as $POD_NAME; trap 'exit 0' TERM; while :; do sleep 1; done\"]\n    volumeMounts:\n    - {{name: shared, mountPath: /shared}}\n    lifecycle:\n      preStop:\n        exec:\n          command: [\"sh\", \"-c\", \"echo preStop ran > /shared/marker\"]\n    env:\n    - name: POD_NAME\n      valueFrom:\n        fieldRef: {{fieldPath: metadata.name}}\n";
        var created = await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "web", "-o", "jsonpath={.status.phase}/{.status.containerStatuses[0].ready}")).Output == "Running/true");
        var ip = (await kubectl.RunAsync("get", "pod", "web", "-o", "jsonpath={.status.podIP}")).Output;
        Assert.That(ip, Does.Match(@"^\d+\.\d+\.\d+\.\d+$"));
        Assert.That(await DockerCli.RunAsync("ps", "--filter", "label=io.mkube.pod.name=web", "--format", "{{.Names}}"), Does.Contain("main"));

        var logs = await kubectl.RunAsync("logs", "web");
        Assert.That(logs.Output, Is.EqualTo("started as web\n"), logs.ToString());
        using (var follow = kubectl.Start(false, null, "logs", "-f", "web", "--timestamps"))
        {
            var first = await follow.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(first, Does.Match(@"^\d{4}-\d\d-\d\dT[0-9:.]+Z started as web$"));
            follow.Kill();
        }

        var exec = await kubectl.RunAsync("exec", "web", "--", "echo", "hello from exec");
        Assert.That(exec.Output, Is.EqualTo("hello from exec\n"), exec.ToString());
        var piped = await kubectl.RunWithAsync("line one\nline two\n", null, "exec", "-i", "web", "--", "cat");
        Assert.That(piped.Output, Is.EqualTo("line one\nline two\n"), piped.ToString());
        var failed = await kubectl.RunAsync("exec", "web", "-c", "main", "--", "sh", "-c", "echo to stderr >&2; exit 3");
        Assert.That(failed.ExitCode, Is.EqualTo(3), failed.ToString());
        Assert.That(failed.Error, Does.Contain("to stderr").And.Contain("command terminated with exit code 3"), failed.ToString());

        var clock = Stopwatch.StartNew();
        var deleted = await kubectl.RunAsync("delete", "pod", "web", "--timeout=60s");
        Assert.That(deleted.ExitCode, Is.Zero, deleted.ToString());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the kubelet stops the containers within the grace period and deletes the pod");
        Assert.That(File.ReadAllText(Path.Combine(shared, "marker")), Is.EqualTo("preStop ran\n"), "the preStop hook runs before the container is stopped");
        await WaitAsync(async () => (await DockerCli.RunAsync("ps", "-a", "--filter", "label=io.mkube.pod.name=web", "--format", "{{.Names}}")).Trim().Length == 0);
    }

    [Test]
    public async Task CrashingContainer_ShowsCrashLoopBackOffWithAGrowingRestartCount()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  nodeName: {Node}\n  containers:\n  - name: main\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"echo failing; exit 3\"]\n";
        var created = await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        // Back-off is 10 s, then 20 s: the second restart comes about 30 s in.
        // Just after a restart the new attempt shows Running for the moment before it exits again.
        var backingOff = new System.Text.RegularExpressions.Regex(@"crash\s+0/1\s+(CrashLoopBackOff|Error)\s+[23]");
        await WaitAsync(async () => backingOff.IsMatch((await kubectl.RunAsync("get", "pod", "crash")).Output));
        var previous = await kubectl.RunAsync("logs", "crash", "--previous");

        Assert.That(await kubectl.RunAsync("get", "pod", "crash", "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}"), Has.Property("Output").EqualTo("3"));
        Assert.That(previous.Output, Is.EqualTo("failing\n"), previous.ToString());
    }

    [Test]
    public async Task Probes_ReadinessMarksReady_AndAFailingLivenessRestartsTheContainer()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        const string Script = "touch /tmp/alive; (sleep 4; rm /tmp/alive) & mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www";
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: probed\nspec:\n  nodeName: {Node}\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: web\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"{Script}\"]\n    ports:\n    - {{name: http, containerPort: 8080}}\n    readinessProbe:\n      httpGet: {{path: /, port: http}}\n      periodSeconds: 1\n    livenessProbe:\n      exec: {{command: [cat, /tmp/alive]}}\n      periodSeconds: 1\n      failureThreshold: 2\n";
        var created = await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "probed", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Output == "True");
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "probed", "-o", "jsonpath={.status.containerStatuses[0].restartCount}")).Output is "1" or "2");
    }

    [Test]
    public async Task ImageTarball_InTheAgentImagesDirectory_IsLoadedAtStartAndRuns()
    {
        var images = Directory.CreateDirectory(Path.Combine(DataDir, "agent", "images")).FullName;
        var tag = $"mkube.local/imported-{Guid.NewGuid():N}:1";
        await DockerCli.RunAsync("tag", "mkube.local/busybox:1", tag);
        await DockerCli.RunAsync("save", "-o", Path.Combine(images, "imported.tar"), tag);
        await DockerCli.RunAsync("rmi", tag);
        try
        {
            using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
            await mkube.WaitForLogAsync("components are running", StartTimeout);
            var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
            var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: airgap\nspec:\n  nodeName: {Node}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: {tag}\n    imagePullPolicy: Never\n    command: [\"sleep\", \"3600\"]\n";
            var created = await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
            Assert.That(created.ExitCode, Is.Zero, created.ToString());

            await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "airgap", "-o", "jsonpath={.status.phase}")).Output == "Running");
            await kubectl.RunAsync("delete", "pod", "airgap");
        }
        finally
        {
            await DockerCli.RunAsync("rmi", "-f", tag);
        }
    }
}
