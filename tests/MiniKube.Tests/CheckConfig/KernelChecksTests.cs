using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

public sealed class KernelChecksTests
{
    [Test]
    public void Check_EveryFeatureBuiltIn_AllOk()
    {
        var results = KernelChecks.Check(FakeHostProbe.Complete(), "nf_tables");

        Assert.That(results.Where(r => r.Status != CheckStatus.Ok), Is.Empty);
        Assert.That(results.Single(r => r.Item == "br_netfilter").Detail, Is.EqualTo("built in (CONFIG_BRIDGE_NETFILTER=y)"));
        Assert.That(results.Single(r => r.Item == "config").Detail, Is.EqualTo("6.1.0-test, from /proc/config.gz"));
    }

    [Test]
    public void Check_ModularFeature_OkSayingWhetherLoaded()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/config.gz"] += "CONFIG_VXLAN=m\nCONFIG_BRIDGE_NETFILTER=m\n";
        probe.Paths.Add("/sys/module/br_netfilter");

        var results = KernelChecks.Check(probe, "nf_tables");

        Assert.That(results.Single(r => r.Item == "br_netfilter").Detail, Is.EqualTo("module (CONFIG_BRIDGE_NETFILTER=m), loaded"));
        Assert.That(results.Single(r => r.Item == "vxlan").Detail, Is.EqualTo("module (CONFIG_VXLAN=m), loaded when first used"));
    }

    [Test]
    public void Check_RequiredFeatureMissing_FailsWithFix_OptionalOneWarns()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/config.gz"] = probe.Files["/proc/config.gz"]
            .Replace("CONFIG_NETFILTER_XT_MATCH_RECENT=y", "# CONFIG_NETFILTER_XT_MATCH_RECENT is not set", StringComparison.Ordinal)
            .Replace("CONFIG_OVERLAY_FS=y", "", StringComparison.Ordinal);

        var results = KernelChecks.Check(probe, "nf_tables");

        var recent = results.Single(r => r.Item == "xt_recent");
        Assert.That(recent.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(recent.ToString(), Does.StartWith("FAIL  kernel   xt_recent: not in this kernel (CONFIG_NETFILTER_XT_MATCH_RECENT not set); needed for sessionAffinity: ClientIP; fix: "));
        Assert.That(results.Single(r => r.Item == "overlay").Status, Is.EqualTo(CheckStatus.Warning));
    }

    [Test]
    public void Check_AnySymbolOfAFeature_Counts()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/proc/config.gz"] = probe.Files["/proc/config.gz"].Replace("CONFIG_NETFILTER_XT_MARK=y", "CONFIG_NETFILTER_XT_MATCH_MARK=y", StringComparison.Ordinal);

        Assert.That(KernelChecks.Check(probe, "nf_tables").Single(r => r.Item == "xt_mark").Status, Is.EqualTo(CheckStatus.Ok));
    }

    [Test]
    public void Check_LegacyBackend_ChecksIpTablesInsteadOfNfTables()
    {
        var items = KernelChecks.Check(FakeHostProbe.Complete(), "legacy").Select(r => r.Item).ToList();

        Assert.That(items, Does.Contain("ip_tables").And.Contain("iptable_nat").And.Not.Contain("nf_tables"));
    }

    [Test]
    public void Check_UnknownBackend_ChecksNfTables()
    {
        var items = KernelChecks.Check(FakeHostProbe.Complete(), null).Select(r => r.Item).ToList();

        Assert.That(items, Does.Contain("nft_compat").And.Not.Contain("ip_tables"));
    }

    [Test]
    public void Check_NoConfigButModuleIndex_JudgesByModules()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files.Remove("/proc/config.gz");
        probe.Files["/lib/modules/6.1.0-test/modules.builtin"] = "kernel/net/bridge/bridge.ko\n";
        probe.Files["/lib/modules/6.1.0-test/modules.dep"] = "kernel/drivers/net/vxlan/vxlan.ko.xz: kernel/net/ipv4/udp_tunnel.ko.xz\n";
        probe.Paths.Add("/sys/module/br_netfilter");

        var results = KernelChecks.Check(probe, "nf_tables");

        Assert.That(results.Single(r => r.Item == "config").Status, Is.EqualTo(CheckStatus.Warning));
        Assert.That(results.Single(r => r.Item == "bridge").Detail, Is.EqualTo("built in (modules.builtin)"));
        Assert.That(results.Single(r => r.Item == "vxlan").Detail, Is.EqualTo("module, loaded when first used (modules.dep)"));
        Assert.That(results.Single(r => r.Item == "br_netfilter").Detail, Is.EqualTo("loaded (/sys/module)"));
        Assert.That(results.Single(r => r.Item == "xt_set").Status, Is.EqualTo(CheckStatus.Fail), "in no module list while the index is there");
        Assert.That(results.Single(r => r.Item == "network namespaces").Status, Is.EqualTo(CheckStatus.Warning), "no module tells");
    }

    [Test]
    public void ParseConfig_ReadsSetSymbols_SkipsUnsetOnes()
    {
        var symbols = KernelChecks.ParseConfig("# comment\nCONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\nCONFIG_D=\"text\"\n");

        Assert.That(symbols, Is.EqualTo(new Dictionary<string, string> { ["A"] = "y", ["B"] = "m", ["D"] = "\"text\"" }));
    }
}
