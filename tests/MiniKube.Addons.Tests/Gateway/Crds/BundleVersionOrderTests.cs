using MiniKube.Addons.Gateway.Crds;

namespace MiniKube.Addons.Tests.Gateway.Crds;

public sealed class BundleVersionOrderTests
{
    [TestCase("v1.4.0", true)]
    [TestCase("v1.3.1", true)]
    [TestCase("v2.0.0", true)]
    [TestCase("v1.4.0-rc.1", true)]
    [TestCase("v1.10.0", true)]
    [TestCase("v1.3.0", false)]
    [TestCase("v1.3.0-rc.2", false)]
    [TestCase("v1.2.1", false)]
    [TestCase("v0.8.1", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    [TestCase("dev", false)]
    [TestCase("v1.4", false)]
    public void IsNewer_InstalledAgainstV130_OrdersAsSemver(string? installed, bool newer)
    {
        Assert.That(BundleVersionOrder.IsNewer(installed, "v1.3.0"), Is.EqualTo(newer));
    }
}
