using MiniKube.Cli;

namespace MiniKube.Tests.Cli;

[TestFixture]
public sealed class MkubeCommandLineTests
{
    private CliHarness _cli = null!;

    [SetUp]
    public void SetUp() => _cli = new CliHarness();

    [TearDown]
    public void TearDown() => _cli.Dispose();

    [TestCase("server", "--bogus")]
    [TestCase("agent", "--bogus")]
    [TestCase("bogus")]
    [TestCase("server", "--https-listen-port", "seventy")]
    public async Task InvokeAsync_UnknownFlagOrCommand_PrintsOneErrorLineAndUsageAndExits2(params string[] args)
    {
        var code = await _cli.RunAsync(args);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines, Has.Length.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: ").And.Contain(args[^1]));
        Assert.That(_cli.ErrorLines[1], Does.StartWith("Usage: mkube").And.Contain("--help"));
        Assert.That(_cli.Out.ToString(), Is.Empty);
    }

    [Test]
    public async Task InvokeAsync_NoCommand_Exits2()
    {
        Assert.That(await _cli.RunAsync(), Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: "));
    }

    [TestCase("--https-listen-port", "70000", "not a port number")]
    [TestCase("--bind-address", "300.1.1.1", "not an IP address")]
    [TestCase("--cluster-cidr", "10.42.0.0/33", "not a CIDR block")]
    [TestCase("--service-node-port-range", "32767-30000", "not a port range")]
    [TestCase("--write-kubeconfig-mode", "644x", "not an octal file mode")]
    [TestCase("--node-name", "Node_1", "DNS-1123")]
    [TestCase("--datastore-endpoint", "ftp://etcd:2379", "not an http(s):// URL")]
    [TestCase("--simulate-nodes", "-1", "not a number from 0 to 10000")]
    [TestCase("--simulate-nodes", "10001", "not a number from 0 to 10000")]
    [TestCase("--simulate-nodes", "lots", "lots")]
    [TestCase("--simulated-start-delay", "10", "not a duration")]
    [TestCase("--simulated-start-delay", "2 s", "not a duration")]
    [TestCase("--simulated-start-delay", "-1s", "not a duration")]
    [TestCase("--simulated-start-delay", "1d", "not a duration")]
    [TestCase("--secrets-encryption-provider", "aesgcm", "is not one of aescbc, secretbox")]
    [TestCase("--flannel-backend", "wireguard", "is not one of vxlan, host-gw, none")]
    [TestCase("--disable", "ingress,kube-proxy", "'kube-proxy' is not one of")]
    public async Task InvokeAsync_InvalidValue_NamesTheFlagAndExits2(string flag, string value, string expected)
    {
        var code = await _cli.RunAsync("server", flag, value);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain(flag).And.Contain(expected));
    }

    [Test]
    public async Task InvokeAsync_DatastoreCertWithoutKey_Exits2()
    {
        var code = await _cli.RunAsync("server", "--datastore-certfile", "/tmp/c.pem");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain("--datastore-keyfile"));
    }

    [Test]
    public void ResolveServer_DatastoreEndpoints_AreKeptAsGiven()
    {
        var flags = _cli.CommandLine.ResolveServer("--datastore-endpoint", "http://10.0.0.1:2379,https://10.0.0.2:2379");

        Assert.That(flags.DatastoreEndpoint, Is.EqualTo("http://10.0.0.1:2379,https://10.0.0.2:2379"));
    }

    [Test]
    public async Task InvokeAsync_SnapshotSaveBogusFlag_Exits2()
    {
        Assert.That(await _cli.RunAsync("snapshot", "save", "--bogus"), Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[1], Does.StartWith("Usage: mkube snapshot save"));
    }

    [Test]
    public async Task InvokeAsync_AgentWithoutServer_Exits2()
    {
        var code = await _cli.RunAsync("agent", "--token", "secret");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain("--server is required"));
    }

    [Test]
    public async Task InvokeAsync_AgentWithPlainHttpServer_Exits2()
    {
        var code = await _cli.RunAsync("agent", "--server", "http://10.0.0.1:6443", "--token", "secret");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain("https://"));
    }

    [TestCase("server", "--https-listen-port")]
    [TestCase("agent", "--server")]
    [TestCase("version", "")]
    public async Task InvokeAsync_Help_ListsFlagsAndExits0(string command, string flag)
    {
        var code = await _cli.RunAsync(command, "--help");

        Assert.That(code, Is.Zero);
        Assert.That(_cli.Out.ToString(), Does.Contain($"mkube {command}").And.Contain(flag));
        Assert.That(_cli.Error.ToString(), Is.Empty);
    }

    [Test]
    public async Task InvokeAsync_Version_PrintsMkubeAndKubernetesVersions()
    {
        var code = await _cli.RunAsync("version");

        Assert.That(code, Is.Zero);
        Assert.That(_cli.Out.ToString(), Does.Match(@"^mkube version v\d+\.\d+\.\d+ \(Kubernetes v1\.\d+\.\d+\)"));
    }

    [TestCase("--simulate-nodes", "-5")]
    [TestCase("--simulated-start-delay", "soon")]
    [TestCase("--simulated-start-delay", "-2s")]
    [TestCase("--flannel-backend", "udp")]
    public async Task InvokeAsync_AgentInvalidNodeValue_PrintsOneErrorLineAndExits2(string flag, string value)
    {
        var code = await _cli.RunAsync("agent", "--server", "https://10.0.0.1:6443", "--token", "secret", flag, value);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines, Has.Length.EqualTo(2), "one error line, then the usage pointer");
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: ").And.Contain(flag).And.Contain(value));
    }

    [Test]
    public async Task InvokeAsync_BadStartDelayFromEnvironment_NamesTheVariableAndExits2()
    {
        _cli.Environment["MKUBE_SIMULATED_START_DELAY"] = "fast";

        var code = await _cli.RunAsync("server");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain("MKUBE_SIMULATED_START_DELAY").And.Contain("not a duration"));
    }

    [TestCase("500ms", 500)]
    [TestCase("2s", 2000)]
    [TestCase("1m30s", 90_000)]
    [TestCase("1.5s", 1500)]
    [TestCase("0", 0)]
    public void ResolveServer_SimulationFlags_AreParsed(string delay, int expectedMilliseconds)
    {
        var flags = _cli.CommandLine.ResolveServer("--simulate-nodes", "100", "--simulated-start-delay", delay);

        Assert.That(flags.Node.SimulateNodes, Is.EqualTo(100));
        Assert.That(flags.Node.SimulatedStartDelay, Is.EqualTo(TimeSpan.FromMilliseconds(expectedMilliseconds)));
    }

    [TestCase(new string[0], Addon.None)]
    [TestCase(new[] { "--disable", "ingress,metrics", "--disable", "dashboard" }, Addon.Ingress | Addon.Metrics | Addon.Dashboard)]
    [TestCase(new[] { "--disable", "traefik", "--disable", "metrics-server" }, Addon.Ingress | Addon.Metrics)]
    [TestCase(new[] { "--disable", "coredns,local-storage,servicelb,network-policy" }, Addon.Dns | Addon.LocalStorage | Addon.ServiceLb | Addon.NetworkPolicy)]
    [TestCase(new[] { "--disable", "manifests" }, Addon.Manifests)]
    [TestCase(new[] { "--disable-dns", "--disable-servicelb", "--disable-network-policy" }, Addon.Dns | Addon.ServiceLb | Addon.NetworkPolicy)]
    public void ResolveServer_Disable_NamesTheAddonsLeftOut(string[] args, Addon expected)
    {
        Assert.That(_cli.CommandLine.ResolveServer(args).DisabledAddons, Is.EqualTo(expected));
    }

    [Test]
    public void ResolveServer_IngressPorts_DefaultAndGiven()
    {
        var defaults = _cli.CommandLine.ResolveServer();
        var given = _cli.CommandLine.ResolveServer(["--ingress-http-port", "8080", "--ingress-https-port", "0"]);

        Assert.Multiple(() =>
        {
            Assert.That((defaults.IngressHttpPort, defaults.IngressHttpsPort), Is.EqualTo((80, 443)));
            Assert.That((given.IngressHttpPort, given.IngressHttpsPort), Is.EqualTo((8080, 0)));
        });
    }

    [Test]
    public void ResolveServer_DisableFromConfigFileList_NamesTheAddonsLeftOut()
    {
        _cli.WriteConfig("disable:\n  - metrics\n  - dashboard\n");

        Assert.That(_cli.CommandLine.ResolveServer().DisabledAddons, Is.EqualTo(Addon.Metrics | Addon.Dashboard));
    }

    [Test]
    public void ResolveServer_DisableNetworkPolicy_ReachesTheLocalNode()
    {
        Assert.That(_cli.CommandLine.ResolveServer("--disable", "network-policy").Node.DisableNetworkPolicy, Is.True);
        Assert.That(_cli.CommandLine.ResolveServer().Node.DisableNetworkPolicy, Is.False);
    }

    [Test]
    public void ResolveAgent_SimulationFlagsFromConfigFile_AreParsed()
    {
        _cli.WriteConfig("server: https://10.0.0.1:6443\ntoken: secret\nsimulate-nodes: 3\nsimulated-start-delay: 250ms\n");

        var flags = _cli.CommandLine.ResolveAgent();

        Assert.That(flags.Node.SimulateNodes, Is.EqualTo(3));
        Assert.That(flags.Node.SimulatedStartDelay, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
    }

    [Test]
    public void ResolveServer_NothingGiven_UsesK3sDefaults()
    {
        var flags = _cli.CommandLine.ResolveServer();

        Assert.That(flags, Is.EqualTo(new ServerFlags { DataDir = "/var/lib/mkube" }));
    }

    [Test]
    public void ResolveServerAndAgent_SameNodeFlags_BindTheSameNode()
    {
        string[] node = ["--node-name", "edge-1", "--node-ip", "10.0.0.7", "--runtime", "simulated", "--flannel-backend", "host-gw", "--disable-kube-proxy", "--disable-network-policy", "--kubelet-port", "0", "--simulate-nodes", "2", "--simulated-start-delay", "1s"];
        var expected = new NodeFlags
        {
            NodeName = "edge-1",
            NodeIp = "10.0.0.7",
            Runtime = "simulated",
            DisableKubeProxy = true,
            KubeletPort = 0,
            SimulateNodes = 2,
            SimulatedStartDelay = TimeSpan.FromSeconds(1),
            FlannelBackend = "host-gw",
            DisableNetworkPolicy = true,
        };

        Assert.That(_cli.CommandLine.ResolveServer(node).Node, Is.EqualTo(expected));
        Assert.That(_cli.CommandLine.ResolveAgent(["--server", "https://10.0.0.1:6443", "--token", "secret", .. node]).Node, Is.EqualTo(expected));
    }

    [Test]
    public void ResolveServer_SecretsEncryptionFlags_AreParsed()
    {
        var flags = _cli.CommandLine.ResolveServer("--secrets-encryption", "--secrets-encryption-provider", "secretbox");

        Assert.That(flags.SecretsEncryption, Is.True);
        Assert.That(flags.SecretsEncryptionProvider, Is.EqualTo("secretbox"));
        Assert.That(_cli.CommandLine.ResolveServer().SecretsEncryptionProvider, Is.EqualTo("aescbc"));
    }

    [Test]
    public void ResolveServer_EventTtl_IsAGoDuration_AnHourByDefault()
    {
        Assert.That(_cli.CommandLine.ResolveServer("--event-ttl", "10m").EventTtl, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(_cli.CommandLine.ResolveServer().EventTtl, Is.EqualTo(TimeSpan.FromHours(1)));
    }

    [TestCase("256Mi", 256L << 20)]
    [TestCase("1G", 1_000_000_000L)]
    [TestCase("1048576", 1L << 20)]
    [TestCase("0", 0L)]
    [TestCase("unlimited", 0L)]
    public void ResolveServer_StoreMemoryBudget_IsAQuantityOfBytes(string text, long bytes) =>
        Assert.That(_cli.CommandLine.ResolveServer("--store-memory-budget", text).StoreMemoryBudget, Is.EqualTo(bytes));

    [Test]
    public void ResolveServer_StoreMemoryBudget_DefaultIsTheStoresDefault() =>
        Assert.That(_cli.CommandLine.ResolveServer().StoreMemoryBudget, Is.EqualTo(MiniKube.Storage.Embedded.EmbeddedStoreOptions.DefaultMemoryBudget).And.GreaterThan(0));

    [TestCase("lots")]
    [TestCase("0.5")]
    [TestCase("256MB")]
    public async Task InvokeAsync_BadStoreMemoryBudget_OneErrorLineAndExits2(string text)
    {
        var code = await _cli.RunAsync("server", "--store-memory-budget", text);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Is.EqualTo($"Error: --store-memory-budget: \"{text}\" is not a size in bytes such as 256Mi, 1Gi or unlimited"));
    }

    [Test]
    public void ResolveServer_NodeLifecycleFlags_AreParsed_WithUpstreamAndAutonomyDefaults()
    {
        var flags = _cli.CommandLine.ResolveServer("--node-monitor-grace-period", "15s", "--node-autonomy-duration", "10m");
        var defaults = _cli.CommandLine.ResolveServer().NodeLifecycle;

        Assert.That(flags.NodeLifecycle.NodeMonitorGracePeriod, Is.EqualTo(TimeSpan.FromSeconds(15)));
        Assert.That(flags.NodeLifecycle.AutonomyDuration, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That((defaults.NodeMonitorGracePeriod, defaults.AutonomyDuration), Is.EqualTo((TimeSpan.FromSeconds(40), TimeSpan.FromHours(1))));
    }

    [TestCase("status", "--bogus")]
    [TestCase("rotate-keys", "--output")]
    [TestCase("reencrypt", "--server", "http://127.0.0.1:6443")]
    public async Task InvokeAsync_SecretsEncryptBadFlag_OneErrorLineAndExits2(params string[] args)
    {
        var code = await _cli.RunAsync(["secrets-encrypt", .. args]);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: "));
        Assert.That(_cli.ErrorLines[1], Does.StartWith($"Usage: mkube secrets-encrypt {args[0]}"));
    }

    [Test]
    public async Task InvokeAsync_NetworkTeardownBadFlag_OneErrorLineAndExits2()
    {
        var code = await _cli.RunAsync("network", "teardown", "--bogus");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: "));
        Assert.That(_cli.ErrorLines[1], Does.StartWith("Usage: mkube network teardown"));
    }
}
