using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Runtime;

public class ImageReferenceTests
{
    [TestCase("busybox", "busybox:latest")]
    [TestCase("busybox:1.36", "busybox:1.36")]
    [TestCase("mkube.local/busybox:1", "mkube.local/busybox:1")]
    [TestCase("localhost:5000/app", "localhost:5000/app:latest")]
    [TestCase("localhost:5000/app:v2", "localhost:5000/app:v2")]
    [TestCase("app@sha256:abc", "app@sha256:abc")]
    [TestCase("app:v1@sha256:abc", "app:v1@sha256:abc")]
    public void Normalized_Reference_AddsLatestOnlyWithoutTagOrDigest(string image, string expected) =>
        Assert.That(ImageReference.Parse(image).Normalized.ToString(), Is.EqualTo(expected));

    [Test]
    public void Parse_RegistryPortWithoutTag_KeepsPortInRepository()
    {
        var reference = ImageReference.Parse("localhost:5000/team/app");

        Assert.Multiple(() =>
        {
            Assert.That(reference.Repository, Is.EqualTo("localhost:5000/team/app"));
            Assert.That(reference.Tag, Is.Null);
            Assert.That(reference.Normalized.PullTag, Is.EqualTo("latest"));
        });
    }

    [Test]
    public void PullTag_Digest_WinsOverTag() =>
        Assert.That(ImageReference.Parse("app:v1@sha256:abc").PullTag, Is.EqualTo("sha256:abc"));

    [TestCase("busybox", "docker.io/library/busybox")]
    [TestCase("team/app:1", "docker.io/team/app")]
    [TestCase("index.docker.io/library/busybox", "docker.io/library/busybox")]
    [TestCase("localhost/app", "localhost/app")]
    [TestCase("registry.test:5000/team/app@sha256:abc", "registry.test:5000/team/app")]
    [TestCase("mkube.local/busybox:1", "mkube.local/busybox")]
    public void FullName_AsDistributionNormalizesIt(string image, string expected) =>
        Assert.That(ImageReference.Parse(image).FullName, Is.EqualTo(expected));
}
