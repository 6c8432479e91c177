using System.Diagnostics;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Docker;
using ContainerState = MiniKube.Agent.Runtime.ContainerState;

namespace MiniKube.Agent.Tests.Runtime.Docker;

/// <summary>
/// The Docker runtime against the real Docker engine with the offline images of scripts/images.
/// Every pod a test creates gets a fresh uid; TearDown removes whatever carries those uids.
/// </summary>
[Category("E2E")]
public class DockerRuntimeTests
{
    private const string Busybox = "mkube.local/busybox:1";
    private const string EntrypointImage = "mkube.local/entrypoint-test:1";
    private const string Namespace = "mkube-test";

    private readonly List<string> _podUids = [];
    private DockerClient _docker = null!;
    private DockerRuntime _runtime = null!;

    [OneTimeSetUp]
    public static void BuildImages()
    {
        var root = RepoRoot();
        Run(Path.Combine(root, "scripts", "images"), "");
        // An image with both ENTRYPOINT and CMD, for the command/args semantics.
        Run("/bin/bash", "-c \"docker image inspect " + EntrypointImage + " >/dev/null 2>&1 || { cid=$(docker create " + Busybox + ") && "
            + "docker export $cid | docker import --change 'ENTRYPOINT [\\\"/bin/echo\\\",\\\"entry\\\"]' --change 'CMD [\\\"default-cmd\\\"]' - " + EntrypointImage + " >/dev/null; rc=$?; docker rm $cid >/dev/null; exit $rc; }\"");
    }

    [SetUp]
    public void CreateRuntime()
    {
        _docker = new DockerClientConfiguration(new Uri(DockerRuntime.DefaultEndpoint)).CreateClient();
        _runtime = NewRuntime();
    }

    [TearDown]
    public async Task RemoveEverythingCreated()
    {
        foreach (var uid in _podUids)
        {
            var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = DockerLabels.Filter((DockerLabels.PodUid, uid)),
            });
            foreach (var container in containers)
            {
                await _docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
        }

        _runtime.Dispose();
        _docker.Dispose();
    }

    [Test]
    public async Task StatusAsync_DockerRunning_ReadyWithVersion()
    {
        var status = await _runtime.StatusAsync(CancellationToken.None);

        Assert.That((status.Ready, status.Problem), Is.EqualTo((true, (string?)null)));
        Assert.That(status.Version, Is.Not.Empty);
    }

    [Test]
    public async Task StatusAsync_NoDaemon_NotReadyWithProblem()
    {
        var endpoint = "unix:///tmp/mkube-no-docker-" + Guid.NewGuid().ToString("N") + ".sock";
        using var runtime = new DockerRuntime(NullLogger<DockerRuntime>.Instance, endpoint);

        var status = await runtime.StatusAsync(CancellationToken.None);

        Assert.That(status.Ready, Is.False);
        Assert.That(status.Problem, Does.StartWith($"cannot reach Docker at {endpoint}: "));
        Assert.ThrowsAsync<RuntimeUnavailableException>(() => runtime.ListContainersAsync(CancellationToken.None));
    }

    [Test]
    public async Task RunSandboxAsync_JoinedContainer_SeesSandboxIpAndHostname()
    {
        var sandbox = await RunSandboxAsync("web-0");
        Assert.That(sandbox.Running, Is.True);
        Assert.That(sandbox.Ip, Does.Match(@"^\d+\.\d+\.\d+\.\d+$"));

        var id = await RunAsync(sandbox, new ContainerConfig("probe", Busybox)
        {
            Command = ["/bin/sh", "-c", "hostname; ip -4 -o addr show eth0"],
        });

        var output = await LogsAsync(id, new LogOptions());
        Assert.That(output, Does.StartWith("web-0\n"));
        Assert.That(output, Does.Contain($"inet {sandbox.Ip}/"));
    }

    [Test]
    public async Task RunSandboxAsync_HostNetwork_NoPodIpAndNodeHostname()
    {
        var uid = Guid.NewGuid().ToString();
        _podUids.Add(uid);
        var sandbox = await _runtime.RunSandboxAsync(new SandboxConfig(uid, Namespace, "hostnet", "ignored") { HostNetwork = true }, CancellationToken.None);

        var id = await RunAsync(sandbox, new ContainerConfig("probe", Busybox) { Command = ["/bin/hostname"] });

        Assert.That(sandbox.Ip, Is.Null);
        Assert.That(await LogsAsync(id, new LogOptions()), Is.EqualTo(System.Net.Dns.GetHostName() + "\n"));
    }

    [Test]
    public async Task RunSandboxAsync_HostPort_PublishedByDocker()
    {
        var sandbox = await RunSandboxAsync("ports", new PortMapping(80, 38080, "TCP", "127.0.0.1"));

        var inspect = await _docker.Containers.InspectContainerAsync(sandbox.Id);

        var binding = inspect.HostConfig.PortBindings["80/tcp"].Single();
        Assert.That((binding.HostIP, binding.HostPort), Is.EqualTo(("127.0.0.1", "38080")));
    }

    [TestCase(new string[0], new string[0], "entry default-cmd")]
    [TestCase(new string[0], new[] { "a1", "a2" }, "entry a1 a2")]
    [TestCase(new[] { "/bin/echo", "cmd" }, new string[0], "cmd")]
    [TestCase(new[] { "/bin/echo", "cmd" }, new[] { "a1" }, "cmd a1")]
    public async Task CreateContainerAsync_CommandAndArgs_ReplaceEntrypointAndCmd(string[] command, string[] args, string expected)
    {
        var sandbox = await RunSandboxAsync("cmd");

        var id = await RunAsync(sandbox, new ContainerConfig("echo", EntrypointImage) { Command = command, Args = args });

        Assert.That(await LogsAsync(id, new LogOptions()), Is.EqualTo(expected + "\n"));
    }

    [Test]
    public async Task CreateContainerAsync_EnvAndWorkingDir_Applied()
    {
        var sandbox = await RunSandboxAsync("env");

        var id = await RunAsync(sandbox, new ContainerConfig("env", Busybox)
        {
            Command = ["/bin/sh", "-c", "echo \"$GREETING $TARGET\"; pwd"],
            Env = new Dictionary<string, string> { ["GREETING"] = "hello", ["TARGET"] = "world with spaces" },
            WorkingDir = "/tmp",
        });

        Assert.That(await LogsAsync(id, new LogOptions()), Is.EqualTo("hello world with spaces\n/tmp\n"));
    }

    [Test]
    public async Task ListContainersAsync_ExitedAndCreated_StateExitCodeAndTimes()
    {
        var sandbox = await RunSandboxAsync("exit");
        var exited = await RunAsync(sandbox, new ContainerConfig("fails", Busybox) { Command = ["/bin/sh", "-c", "exit 3"], Attempt = 1 });
        var created = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("waits", Busybox) { Init = true }, CancellationToken.None);

        var infos = await _runtime.ListContainersAsync(CancellationToken.None);

        var fails = infos.Single(i => i.Id == exited);
        var waits = infos.Single(i => i.Id == created);
        Assert.Multiple(() =>
        {
            Assert.That((fails.State, fails.ExitCode, fails.Reason), Is.EqualTo((ContainerState.Exited, 3, "Error")));
            Assert.That((fails.Name, fails.Attempt, fails.Init, fails.PodUid), Is.EqualTo(("fails", 1, false, sandbox.PodUid)));
            Assert.That(fails.StartedAt, Is.Not.Null);
            Assert.That(fails.FinishedAt, Is.GreaterThanOrEqualTo(fails.StartedAt!.Value));
            Assert.That(fails.ImageId, Does.StartWith("sha256:"));
            Assert.That(fails.Image, Is.EqualTo(Busybox));
            Assert.That((waits.State, waits.StartedAt, waits.FinishedAt, waits.Init), Is.EqualTo((ContainerState.Created, (DateTimeOffset?)null, (DateTimeOffset?)null, true)));
            Assert.That(infos.Select(i => i.Id), Does.Not.Contain(sandbox.Id));
        });
    }

    [Test]
    public async Task LogsAsync_StdoutAndStderr_DemultiplexedWithTailAndTimestamps()
    {
        var sandbox = await RunSandboxAsync("logs");
        var id = await RunAsync(sandbox, new ContainerConfig("talk", Busybox)
        {
            Command = ["/bin/sh", "-c", "echo out1; echo err1 >&2; sleep 0.1; echo out2"],
        });

        var all = await LogsAsync(id, new LogOptions());
        var tail = await LogsAsync(id, new LogOptions { TailLines = 1 });
        var stamped = await LogsAsync(id, new LogOptions { Timestamps = true });
        var future = await LogsAsync(id, new LogOptions { Since = DateTimeOffset.UtcNow.AddMinutes(1) });

        Assert.Multiple(() =>
        {
            Assert.That(all.Split('\n'), Is.EquivalentTo(new[] { "out1", "err1", "out2", "" }));
            Assert.That(all, Does.EndWith("out2\n"));
            Assert.That(tail, Is.EqualTo("out2\n"));
            Assert.That(future, Is.Empty);
        });
        var lines = stamped.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3));
        foreach (var line in lines)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            Assert.That(line[..space], Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$"), line);
            Assert.That(DateTimeOffset.TryParse(line[..space], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), Is.True, line);
        }
    }

    [Test]
    public async Task LogsAsync_Follow_EndsWhenContainerExits()
    {
        var sandbox = await RunSandboxAsync("follow");
        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("ticker", Busybox)
        {
            Command = ["/bin/sh", "-c", "for i in 1 2 3; do echo tick$i; sleep 0.2; done"],
        }, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var stream = await _runtime.LogsAsync(id, new LogOptions { Follow = true }, timeout.Token);
        using var reader = new StreamReader(stream);

        Assert.That(await reader.ReadToEndAsync(timeout.Token), Is.EqualTo("tick1\ntick2\ntick3\n"));
    }

    [Test]
    public async Task StopContainerAsync_IgnoresSigterm_KilledAfterGrace()
    {
        var sandbox = await RunSandboxAsync("stop");
        var stubborn = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("stubborn", Busybox)
        {
            Command = ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"],
        }, CancellationToken.None);
        await _runtime.StartContainerAsync(stubborn, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await _runtime.StopContainerAsync(stubborn, TimeSpan.FromSeconds(1), CancellationToken.None);
        var took = clock.Elapsed;

        var info = (await _runtime.ListContainersAsync(CancellationToken.None)).Single(i => i.Id == stubborn);
        Assert.That((info.State, info.ExitCode), Is.EqualTo((ContainerState.Exited, 137)));
        Assert.That(took, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)).And.LessThan(TimeSpan.FromSeconds(6)));
    }

    [Test]
    public async Task StopContainerAsync_ZeroGrace_KilledAtOnceAndAgainIsNoError()
    {
        var sandbox = await RunSandboxAsync("kill");
        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("stubborn", Busybox)
        {
            Command = ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"],
        }, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await _runtime.StopContainerAsync(id, TimeSpan.Zero, CancellationToken.None);
        var took = clock.Elapsed;
        await _runtime.StopContainerAsync(id, TimeSpan.Zero, CancellationToken.None);

        var info = (await _runtime.ListContainersAsync(CancellationToken.None)).Single(i => i.Id == id);
        Assert.That((info.State, info.ExitCode), Is.EqualTo((ContainerState.Exited, 137)));
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task StopSandboxAsync_PauseImage_StopsAtOnce()
    {
        var sandbox = await RunSandboxAsync("pause");

        var clock = Stopwatch.StartNew();
        await _runtime.StopSandboxAsync(sandbox.Id, CancellationToken.None);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        var listed = (await _runtime.ListSandboxesAsync(CancellationToken.None)).Single(s => s.Id == sandbox.Id);
        Assert.That((listed.Running, listed.Ip), Is.EqualTo((false, (string?)null)));
    }

    [Test]
    public async Task RemoveContainerAsync_Twice_IdempotentAndStopOfMissingIsNoError()
    {
        var sandbox = await RunSandboxAsync("remove");
        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("gone", Busybox) { Command = ["/bin/sleep", "60"] }, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);

        await _runtime.RemoveContainerAsync(id, CancellationToken.None);
        await _runtime.RemoveContainerAsync(id, CancellationToken.None);
        await _runtime.StopContainerAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None);
        await _runtime.RemoveSandboxAsync(sandbox.Id, CancellationToken.None);
        await _runtime.RemoveSandboxAsync(sandbox.Id, CancellationToken.None);

        Assert.That((await _runtime.ListContainersAsync(CancellationToken.None)).Select(c => c.Id), Does.Not.Contain(id));
        Assert.That((await _runtime.ListSandboxesAsync(CancellationToken.None)).Select(s => s.Id), Does.Not.Contain(sandbox.Id));
        Assert.ThrowsAsync<KeyNotFoundException>(() => _runtime.StartContainerAsync(id, CancellationToken.None));
    }

    [Test]
    public async Task ImageStatusAsync_Missing_Null() =>
        Assert.That(await _runtime.ImageStatusAsync("mkube.local/absent:1", CancellationToken.None), Is.Null);

    [Test]
    public async Task ImageStatusAsync_Present_IdAndSize()
    {
        var expected = await _docker.Images.InspectImageAsync(Busybox);

        Assert.That(await _runtime.ImageStatusAsync(Busybox, CancellationToken.None), Is.EqualTo(new ImageInfo(expected.ID, expected.Size)));
    }

    [Test]
    public void PullImageAsync_RegistryThatDoesNotResolve_ErrImagePullUnreachable()
    {
        var e = Assert.ThrowsAsync<ImageException>(() => _runtime.PullImageAsync("mkube.local/absent:1", null, CancellationToken.None));

        Assert.That((e.Reason, e.RegistryUnreachable), Is.EqualTo(("ErrImagePull", true)));
        Assert.That(e.Message, Does.StartWith("failed to pull image \"mkube.local/absent:1\": "));
    }

    [Test]
    public async Task ListAsync_NewRuntimeInstance_FindsSandboxesAndContainersByLabels()
    {
        var sandbox = await RunSandboxAsync("restart");
        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("app", Busybox) { Command = ["/bin/sleep", "60"], Attempt = 2 }, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);

        using var restarted = NewRuntime();
        var sandboxes = await restarted.ListSandboxesAsync(CancellationToken.None);
        var containers = await restarted.ListContainersAsync(CancellationToken.None);

        Assert.That(sandboxes.Single(s => s.PodUid == sandbox.PodUid), Is.EqualTo(sandbox));
        var app = containers.Single(c => c.PodUid == sandbox.PodUid);
        Assert.That((app.Id, app.Name, app.Attempt, app.State), Is.EqualTo((id, "app", 2, ContainerState.Running)));
    }

    [Test]
    public async Task RunSandboxAsync_SecondSandboxOfPod_NextAttemptName()
    {
        var first = await RunSandboxAsync("again");
        await _runtime.StopSandboxAsync(first.Id, CancellationToken.None);

        var second = await _runtime.RunSandboxAsync(new SandboxConfig(first.PodUid, Namespace, "again", "again"), CancellationToken.None);

        var inspect = await _docker.Containers.InspectContainerAsync(second.Id);
        Assert.That(inspect.Name, Is.EqualTo($"/k8s_POD_again_{Namespace}_{first.PodUid}_1"));
    }

    [Test]
    public async Task CreateContainerAsync_Resources_AppliedToHostConfig()
    {
        var sandbox = await RunSandboxAsync("limits");

        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig("limited", Busybox)
        {
            MemoryLimitBytes = 64L << 20,
            CpuLimitMillis = 500,
            CpuRequestMillis = 250,
        }, CancellationToken.None);

        var host = (await _docker.Containers.InspectContainerAsync(id)).HostConfig;
        Assert.That((host.Memory, host.CPUQuota, host.CPUPeriod, host.CPUShares), Is.EqualTo((64L << 20, 50_000L, 100_000L, 256L)));
        Assert.That(host.NetworkMode, Is.EqualTo("container:" + sandbox.Id));
    }

    [Test]
    public async Task ImportImagesAsync_SavedTarball_LoadedOnceThenSkipped()
    {
        var image = "mkube.local/import-test:" + Guid.NewGuid().ToString("N")[..12];
        var directory = Directory.CreateTempSubdirectory("mkube-images-").FullName;
        try
        {
            await _docker.Images.TagImageAsync(Busybox, new ImageTagParameters { RepositoryName = image.Split(':')[0], Tag = image.Split(':')[1] });
            Run("/bin/bash", $"-c \"docker save -o {directory}/test.tar {image} && docker rmi {image} >/dev/null\"");
            File.WriteAllText(Path.Combine(directory, "notes.txt"), "not an image");

            var first = await _runtime.ImportImagesAsync(directory, CancellationToken.None);
            var present = (await _runtime.ImageStatusAsync(image, CancellationToken.None))?.Id;
            var second = await _runtime.ImportImagesAsync(directory, CancellationToken.None);

            Assert.That(first, Is.EqualTo(new[] { Path.Combine(directory, "test.tar") }));
            Assert.That(present, Does.StartWith("sha256:"));
            Assert.That(second, Is.Empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            await _docker.Images.DeleteImageAsync(image, new ImageDeleteParameters());
        }
    }

    private static DockerRuntime NewRuntime() => new(NullLogger<DockerRuntime>.Instance);

    private async Task<PodSandbox> RunSandboxAsync(string podName, params PortMapping[] ports)
    {
        var uid = Guid.NewGuid().ToString();
        _podUids.Add(uid);
        return await _runtime.RunSandboxAsync(new SandboxConfig(uid, Namespace, podName, podName) { Ports = ports }, CancellationToken.None);
    }

    /// <summary>Creates and starts a container and waits until it has exited.</summary>
    private async Task<string> RunAsync(PodSandbox sandbox, ContainerConfig config)
    {
        var id = await _runtime.CreateContainerAsync(sandbox, config, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _docker.Containers.WaitContainerAsync(id, timeout.Token);
        return id;
    }

    private async Task<string> LogsAsync(string id, LogOptions options)
    {
        await using var stream = await _runtime.LogsAsync(id, options, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiniKube.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MiniKube.sln not found above " + AppContext.BaseDirectory);
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {arguments} failed: {errors}");
    }
}
