using MiniKube.ApiServer.Patching;

namespace MiniKube.ApiServer.Tests.Patching;

public class PatchFormatsTests
{
    [TestCase("application/json-patch+json", PatchFormat.JsonPatch)]
    [TestCase("application/merge-patch+json", PatchFormat.MergePatch)]
    [TestCase("application/strategic-merge-patch+json", PatchFormat.StrategicMergePatch)]
    [TestCase("application/apply-patch+yaml", PatchFormat.ApplyPatch)]
    [TestCase("application/merge-patch+json; charset=utf-8", PatchFormat.MergePatch)]
    [TestCase("Application/JSON-Patch+JSON", PatchFormat.JsonPatch)]
    public void FromContentType_KnownMediaType_IsRecognised(string contentType, PatchFormat format)
    {
        Assert.That(PatchFormats.FromContentType(contentType), Is.EqualTo(format));
    }

    [TestCase("application/json")]
    [TestCase("application/apply-patch+cbor")]
    [TestCase("")]
    [TestCase(null)]
    public void FromContentType_UnknownMediaType_Is415ListingTheAcceptedOnes(string? contentType)
    {
        var error = Assert.Throws<PatchException>(() => PatchFormats.FromContentType(contentType));

        Assert.That(error!.StatusCode, Is.EqualTo(415));
        Assert.That(error.Reason, Is.EqualTo("UnsupportedMediaType"));
        Assert.That(error.Message, Is.EqualTo(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"));
    }

    [Test]
    public void FromContentType_StrategicWithoutSchema_Is415AsForCustomResources()
    {
        var error = Assert.Throws<PatchException>(() =>
            PatchFormats.FromContentType("application/strategic-merge-patch+json", strategicMergeSupported: false));

        Assert.That(error!.StatusCode, Is.EqualTo(415));
        Assert.That(error.Message, Is.EqualTo(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    }
}
