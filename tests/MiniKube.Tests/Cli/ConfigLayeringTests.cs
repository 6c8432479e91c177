namespace MiniKube.Tests.Cli;

/// <summary>Precedence is flag &gt; environment &gt; config file &gt; default, per flag.</summary>
[TestFixture]
public sealed class ConfigLayeringTests
{
    private CliHarness _cli = null!;

    [SetUp]
    public void SetUp() => _cli = new CliHarness();

    [TearDown]
    public void TearDown() => _cli.Dispose();

    [Test]
    public void ResolveServer_SameFlagInEveryLayer_CommandLineWins()
    {
        _cli.WriteConfig("https-listen-port: 7001\n");
        _cli.Environment["MKUBE_HTTPS_LISTEN_PORT"] = "7002";

        Assert.That(_cli.CommandLine.ResolveServer("--https-listen-port", "7003").HttpsListenPort, Is.EqualTo(7003));
    }

    [Test]
    public void ResolveServer_EnvironmentAndFile_EnvironmentWins()
    {
        _cli.WriteConfig("https-listen-port: 7001\n");
        _cli.Environment["MKUBE_HTTPS_LISTEN_PORT"] = "7002";

        Assert.That(_cli.CommandLine.ResolveServer().HttpsListenPort, Is.EqualTo(7002));
    }

    [Test]
    public void ResolveServer_FileOnly_FileBeatsDefault()
    {
        _cli.WriteConfig("https-listen-port: 7001\ndata-dir: /srv/mkube\ndisable-agent: true\n");

        var flags = _cli.CommandLine.ResolveServer();

        Assert.That(flags.HttpsListenPort, Is.EqualTo(7001));
        Assert.That(flags.DataDir, Is.EqualTo("/srv/mkube"));
        Assert.That(flags.DisableAgent, Is.True);
        Assert.That(flags.ClusterCidr, Is.EqualTo(Defaults.ClusterCidr), "untouched flags keep their default");
    }

    [Test]
    public void ResolveServer_LayersMixPerFlag()
    {
        _cli.WriteConfig("data-dir: /from/file\ncluster-domain: file.local\n");
        _cli.Environment["MKUBE_CLUSTER_DOMAIN"] = "env.local";

        var flags = _cli.CommandLine.ResolveServer("--debug");

        Assert.That(flags.Debug, Is.True);
        Assert.That(flags.ClusterDomain, Is.EqualTo("env.local"));
        Assert.That(flags.DataDir, Is.EqualTo("/from/file"));
    }

    [Test]
    public void ResolveServer_DisableServiceLb_FromFlagAndFile()
    {
        Assert.That(_cli.CommandLine.ResolveServer().DisableServiceLb, Is.False, "ServiceLB runs unless disabled, as in k3s");
        Assert.That(_cli.CommandLine.ResolveServer("--disable-servicelb").DisableServiceLb, Is.True);

        _cli.WriteConfig("disable-servicelb: true\n");

        Assert.That(_cli.CommandLine.ResolveServer().DisableServiceLb, Is.True);
    }

    [TestCase("1", true)]
    [TestCase("true", true)]
    [TestCase("0", false)]
    [TestCase("False", false)]
    public void ResolveServer_BooleanFromEnvironment_AcceptsGoSpellings(string value, bool expected)
    {
        _cli.Environment["MKUBE_DISABLE_AGENT"] = value;

        Assert.That(_cli.CommandLine.ResolveServer().DisableAgent, Is.EqualTo(expected));
    }

    [Test]
    public void ResolveServer_ConfigFlagOnCommandLine_ReadsThatFile()
    {
        var path = Path.Combine(_cli.TempDir, "other.yaml");
        File.WriteAllText(path, "node-name: edge-1\n");

        Assert.That(_cli.CommandLine.ResolveServer("--config", path).Node.NodeName, Is.EqualTo("edge-1"));
    }

    [Test]
    public void ResolveAgent_ServerFromK3sStyleUrlVariable()
    {
        _cli.Environment["MKUBE_URL"] = "https://10.0.0.1:6443";
        _cli.Environment["MKUBE_TOKEN"] = "secret";

        var flags = _cli.CommandLine.ResolveAgent();

        Assert.That(flags.Server, Is.EqualTo("https://10.0.0.1:6443"));
        Assert.That(flags.Token, Is.EqualTo("secret"));
    }

    [Test]
    public void ResolveAgent_FileSharedWithServer_IgnoresServerOnlyKeys()
    {
        _cli.WriteConfig("server: https://10.0.0.1:6443\ntoken: secret\ndisable-agent: false\n");

        Assert.That(_cli.CommandLine.ResolveAgent().Server, Is.EqualTo("https://10.0.0.1:6443"));
    }

    [Test]
    public async Task InvokeAsync_BadValueInEnvironment_NamesTheVariable()
    {
        _cli.Environment["MKUBE_HTTPS_LISTEN_PORT"] = "70000";

        Assert.That(await _cli.RunAsync("server"), Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain("MKUBE_HTTPS_LISTEN_PORT").And.Contain("not a port number"));
    }

    [Test]
    public async Task InvokeAsync_BadValueInConfigFile_NamesFileAndKey()
    {
        var path = _cli.WriteConfig("service-cidr: nonsense\n");

        Assert.That(await _cli.RunAsync("server"), Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain(path).And.Contain("service-cidr").And.Contain("not a CIDR block"));
    }

    [TestCase("bogus-key: 1\n", "unknown key \"bogus-key\"")]
    [TestCase("data-dir: [a, b]\n", "takes one value")]
    [TestCase("data-dir: {a: b}\n", "must be a value")]
    [TestCase("- just\n- a list\n", "expected a mapping")]
    [TestCase("data-dir: \"unterminated\n", "invalid YAML")]
    public async Task InvokeAsync_MalformedConfigFile_Exits2WithReason(string yaml, string expected)
    {
        _cli.WriteConfig(yaml);

        Assert.That(await _cli.RunAsync("server"), Is.EqualTo(2));
        Assert.That(_cli.ErrorLines, Has.Length.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain(expected));
    }

    [Test]
    public async Task InvokeAsync_NamedConfigFileMissing_Exits2()
    {
        var missing = Path.Combine(_cli.TempDir, "missing.yaml");

        Assert.That(await _cli.RunAsync("server", "--config", missing), Is.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.Contain(missing));
    }

    [Test]
    public void ResolveServer_EmptyConfigFile_IsFine()
    {
        _cli.WriteConfig("");

        Assert.That(_cli.CommandLine.ResolveServer().DataDir, Is.EqualTo(Defaults.DataDir));
    }
}
