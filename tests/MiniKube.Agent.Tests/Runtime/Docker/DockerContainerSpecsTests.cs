using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Docker;

namespace MiniKube.Agent.Tests.Runtime.Docker;

public class DockerContainerSpecsTests
{
    private static readonly PodSandbox Sandbox = new("sandbox123", "uid-1", "default", "web", "172.17.0.2", true);

    [TestCase(0, 2)]
    [TestCase(1, 2)]
    [TestCase(100, 102)]
    [TestCase(250, 256)]
    [TestCase(1000, 1024)]
    [TestCase(1_000_000, 262144)]
    public void MilliCpuToShares_Request_MatchesKubelet(long milliCpu, long shares) =>
        Assert.That(DockerContainerSpecs.MilliCpuToShares(milliCpu), Is.EqualTo(shares));

    [TestCase(5, 1000)]
    [TestCase(500, 50_000)]
    [TestCase(2000, 200_000)]
    public void MilliCpuToQuota_Limit_MatchesKubelet(long milliCpu, long quota) =>
        Assert.That(DockerContainerSpecs.MilliCpuToQuota(milliCpu), Is.EqualTo(quota));

    [Test]
    public void Container_NoCommandNoArgs_KeepsImageEntrypointAndCmd()
    {
        var create = DockerContainerSpecs.Container(Sandbox, new ContainerConfig("app", "busybox"));

        Assert.Multiple(() =>
        {
            Assert.That(create.Entrypoint, Is.Null);
            Assert.That(create.Cmd, Is.Null);
            Assert.That(create.Image, Is.EqualTo("busybox:latest"));
        });
    }

    [Test]
    public void Container_FullConfig_JoinsSandboxAndMapsEveryField()
    {
        var config = new ContainerConfig("app", "mkube.local/busybox:1")
        {
            Command = ["/bin/sh", "-c"],
            Args = ["echo hi"],
            Env = new Dictionary<string, string> { ["A"] = "1" },
            WorkingDir = "/tmp",
            Mounts = [new Mount("/host/data", "/data", true), new Mount("/host/rw", "/rw", false)],
            CpuLimitMillis = 500,
            CpuRequestMillis = 250,
            MemoryLimitBytes = 64 << 20,
            RunAsUser = 1000,
            Privileged = true,
            ReadOnlyRootFilesystem = true,
            Tty = true,
            Stdin = true,
            Attempt = 3,
            Init = true,
        };

        var create = DockerContainerSpecs.Container(Sandbox, config);

        Assert.Multiple(() =>
        {
            Assert.That(create.Name, Is.EqualTo("k8s_app_web_default_uid-1_3"));
            Assert.That(create.Entrypoint, Is.EqualTo(new[] { "/bin/sh", "-c" }));
            Assert.That(create.Cmd, Is.EqualTo(new[] { "echo hi" }));
            Assert.That(create.Env, Is.EqualTo(new[] { "A=1" }));
            Assert.That(create.WorkingDir, Is.EqualTo("/tmp"));
            Assert.That(create.User, Is.EqualTo("1000"));
            Assert.That(create.Tty && create.OpenStdin, Is.True);
            Assert.That(create.HostConfig.NetworkMode, Is.EqualTo("container:sandbox123"));
            Assert.That(create.HostConfig.IpcMode, Is.EqualTo("container:sandbox123"));
            Assert.That(create.HostConfig.Binds, Is.EqualTo(new[] { "/host/data:/data:ro", "/host/rw:/rw" }));
            Assert.That(create.HostConfig.CPUQuota, Is.EqualTo(50_000));
            Assert.That(create.HostConfig.CPUPeriod, Is.EqualTo(100_000));
            Assert.That(create.HostConfig.CPUShares, Is.EqualTo(256));
            Assert.That(create.HostConfig.Memory, Is.EqualTo(64 << 20));
            Assert.That(create.HostConfig.Privileged && create.HostConfig.ReadonlyRootfs, Is.True);
            Assert.That(create.Labels[DockerLabels.Managed], Is.EqualTo("true"));
            Assert.That(create.Labels[DockerLabels.Sandbox], Is.EqualTo("false"));
            Assert.That(create.Labels[DockerLabels.PodUid], Is.EqualTo("uid-1"));
            Assert.That(create.Labels[DockerLabels.ContainerName], Is.EqualTo("app"));
            Assert.That(create.Labels[DockerLabels.Attempt], Is.EqualTo("3"));
            Assert.That(create.Labels[DockerLabels.Init], Is.EqualTo("true"));
        });
    }

    [Test]
    public void Container_EphemeralWithTarget_JoinsTheTargetsProcessesAndIsLabelled()
    {
        var create = DockerContainerSpecs.Container(Sandbox, new ContainerConfig("debugger", "busybox") { Ephemeral = true, ProcessNamespaceOf = "target-id" });
        var plain = DockerContainerSpecs.Container(Sandbox, new ContainerConfig("app", "busybox"));

        Assert.That(create.HostConfig.PidMode, Is.EqualTo("container:target-id"));
        Assert.That(create.Labels[DockerLabels.Ephemeral], Is.EqualTo("true"));
        Assert.That(plain.HostConfig.PidMode, Is.Null);
        Assert.That(plain.Labels[DockerLabels.Ephemeral], Is.EqualTo("false"));
    }

    [Test]
    public void Container_NoCpuLimit_LeavesQuotaUnset()
    {
        var create = DockerContainerSpecs.Container(Sandbox, new ContainerConfig("app", "busybox"));

        Assert.That((create.HostConfig.CPUQuota, create.HostConfig.CPUPeriod, create.HostConfig.Memory), Is.EqualTo((0L, 0L, 0L)));
    }

    [Test]
    public void Sandbox_Ports_PublishedOnBridgeWithHostname()
    {
        var config = new SandboxConfig("uid-1", "default", "web", "web-0")
        {
            Ports = [new PortMapping(80, 8080, "TCP", null), new PortMapping(53, 5353, "UDP", "127.0.0.1")],
        };

        var create = DockerContainerSpecs.Sandbox(config, "mkube.local/pause:1", 2);

        Assert.Multiple(() =>
        {
            Assert.That(create.Name, Is.EqualTo("k8s_POD_web_default_uid-1_2"));
            Assert.That(create.Hostname, Is.EqualTo("web-0"));
            Assert.That(create.HostConfig.NetworkMode, Is.EqualTo("bridge"));
            Assert.That(create.HostConfig.IpcMode, Is.EqualTo("shareable"));
            Assert.That(create.ExposedPorts.Keys, Is.EquivalentTo(new[] { "80/tcp", "53/udp" }));
            Assert.That(create.HostConfig.PortBindings["80/tcp"].Single().HostPort, Is.EqualTo("8080"));
            Assert.That(create.HostConfig.PortBindings["53/udp"].Single().HostIP, Is.EqualTo("127.0.0.1"));
            Assert.That(create.Labels[DockerLabels.Sandbox], Is.EqualTo("true"));
        });
    }

    [Test]
    public void Sandbox_HostNetwork_NoHostnameNoPorts()
    {
        var config = new SandboxConfig("uid-1", "default", "web", "web-0")
        {
            HostNetwork = true,
            Ports = [new PortMapping(80, 80, "TCP", null)],
        };

        var create = DockerContainerSpecs.Sandbox(config, "mkube.local/pause:1", 0);

        Assert.Multiple(() =>
        {
            Assert.That(create.HostConfig.NetworkMode, Is.EqualTo("host"));
            Assert.That(create.Hostname, Is.Null);
            Assert.That(create.HostConfig.PortBindings, Is.Null);
        });
    }

    [Test]
    public void Sandbox_WithDns_SetsResolvConfOnTheSandboxOnly()
    {
        var config = new SandboxConfig("uid-1", "default", "web", "web") { Dns = new DnsConfig(["10.43.0.10"], ["default.svc.cluster.local", "svc.cluster.local"], ["ndots:5"]) };

        var sandbox = DockerContainerSpecs.Sandbox(config, "mkube.local/pause:1", 0);
        var container = DockerContainerSpecs.Container(Sandbox, new ContainerConfig("app", "busybox"));

        Assert.Multiple(() =>
        {
            Assert.That(sandbox.HostConfig.DNS, Is.EqualTo(new[] { "10.43.0.10" }));
            Assert.That(sandbox.HostConfig.DNSSearch, Is.EqualTo(new[] { "default.svc.cluster.local", "svc.cluster.local" }));
            Assert.That(sandbox.HostConfig.DNSOptions, Is.EqualTo(new[] { "ndots:5" }));
            // Docker refuses --dns with a container:<id> network and gives the joined container's resolv.conf.
            Assert.That(container.HostConfig.DNS, Is.Null.Or.Empty);
        });
    }

    [Test]
    public void Sandbox_WithoutDns_LeavesDockerDefaults() =>
        Assert.That(DockerContainerSpecs.Sandbox(new SandboxConfig("uid-1", "default", "web", "web"), "mkube.local/pause:1", 0).HostConfig.DNS, Is.Null);
}
