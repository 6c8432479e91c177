namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>kubectl debug POD -it --image=… -- sh</c> with the real kubectl against <c>mkube server</c>
/// on Docker (API-GUIDE-WAVE2 §3): the strategic merge patch of pods/ephemeralcontainers, the
/// watch until the kubelet reports the container running, then the attach to its shell.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class KubectlDebugTests : DataDirFixture
{
    private const string Node = "e2e-debug-node";

    [Test]
    public async Task Debug_InteractiveShellInARunningPod_RunsTheCommandAndIsReportedInStatus()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  nodeName: {Node}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; while :; do sleep 1; done\"]\n";
        Assert.That((await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-")).ExitCode, Is.Zero);
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "web", "-o", "jsonpath={.status.phase}")).Output == "Running", "the pod runs");

        // The shell computes its answer, so the terminal's echo of the input cannot pass for it.
        var debug = await kubectl.RunWithAsync("echo hello-from-debug-$((40+2)); exit\n", null,
            "debug", "web", "-it", "--image=mkube.local/busybox:1", "--image-pull-policy=Never", "--target=main", "--", "sh");

        Assert.That(debug.ExitCode, Is.Zero, debug.ToString());
        Assert.That(debug.Output + debug.Error, Does.Contain("hello-from-debug-42"), debug.ToString());
        var name = (await kubectl.RunAsync("get", "pod", "web", "-o", "jsonpath={.spec.ephemeralContainers[0].name}")).Output;
        Assert.That(name, Does.StartWith("debugger-"));
        var status = await kubectl.OkAsync("get", "pod", "web", "-o", "jsonpath={.status.ephemeralContainerStatuses[0].name} {.status.ephemeralContainerStatuses[0].restartCount} {.status.ephemeralContainerStatuses[0].containerID}");
        Assert.That(status, Does.Match($"^{name} 0 docker://[0-9a-f]+$"));
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "web", "-o", "jsonpath={.status.ephemeralContainerStatuses[0].state.terminated.exitCode}")).Output == "0",
            "the debug shell, ended by exit, is reported terminated and not restarted");
        Assert.That((await kubectl.RunAsync("get", "pod", "web", "-o", "jsonpath={.status.phase}/{.status.containerStatuses[0].ready}")).Output, Is.EqualTo("Running/true"));
    }
}
