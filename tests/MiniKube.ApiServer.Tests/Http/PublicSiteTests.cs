using MiniKube.ApiServer.Http;

namespace MiniKube.ApiServer.Tests.Http;

public sealed class PublicSiteTests
{
    private static readonly PublicSite Site = new("/dashboard", _ => Task.CompletedTask);

    [TestCase("/dashboard", true)]
    [TestCase("/dashboard/", true)]
    [TestCase("/dashboard/app.js", true)]
    [TestCase("/dashboards", false)]
    [TestCase("/dashboardx/app.js", false)]
    [TestCase("/Dashboard/", false)]
    [TestCase("/api/v1/dashboard", false)]
    public void Serves_Path_OnlyThePrefixAndBelow(string path, bool served) =>
        Assert.That(Site.Serves(path), Is.EqualTo(served));

    [TestCase("/api")]
    [TestCase("/apis")]
    [TestCase("/openapi")]
    [TestCase("/healthz")]
    [TestCase("/Version")]
    [TestCase("/dashboard/ui")]
    [TestCase("dashboard")]
    [TestCase("/")]
    public void Validate_PrefixThatIsNotOneSegmentOutsideTheApi_Throws(string prefix) =>
        Assert.That(() => new PublicSite(prefix, _ => Task.CompletedTask).Validate(), Throws.ArgumentException);

    [Test]
    public void Validate_OwnSegment_Passes() =>
        Assert.That(Site.Validate, Throws.Nothing);
}
