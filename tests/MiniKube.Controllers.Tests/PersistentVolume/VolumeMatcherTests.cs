using MiniKube.Testing;
using MiniKube.Controllers.PersistentVolume;

namespace MiniKube.Controllers.Tests.PersistentVolume;

public sealed class VolumeMatcherTests
{
    [Test]
    public void FindBest_PreBoundVolume_WinsOverASmallerFreeOne()
    {
        var claim = StorageWorld.Claim("data", "1Gi", "manual");
        var preBound = StorageWorld.Volume("pre-bound", "10Gi", "manual", phase: "Pending");
        preBound.Spec.ClaimRef = new() { NamespaceProperty = "default", Name = "data" };

        var best = VolumeMatcher.FindBest(claim, [StorageWorld.Volume("free", "1Gi", "manual"), preBound], null, delayBinding: false);

        Assert.That(best?.Metadata.Name, Is.EqualTo("pre-bound"));
    }

    [Test]
    public void FindBest_PreBoundToAnotherClaimUid_IsNotAMatch()
    {
        var claim = StorageWorld.Claim("data", "1Gi", "manual");
        var other = StorageWorld.Volume("other", "1Gi", "manual");
        other.Spec.ClaimRef = new() { NamespaceProperty = "default", Name = "data", Uid = "an-older-claim" };

        Assert.That(VolumeMatcher.FindBest(claim, [other], null, delayBinding: false), Is.Null);
    }

    [Test]
    public void FindBest_SelectorAndBlockMode_Respected()
    {
        var claim = StorageWorld.Claim("data", "1Gi", "manual");
        claim.Spec.Selector = new() { MatchLabels = new Dictionary<string, string> { ["tier"] = "db" } };
        var unlabelled = StorageWorld.Volume("unlabelled", "1Gi", "manual");
        var block = StorageWorld.Volume("block", "1Gi", "manual");
        block.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "db" };
        block.Spec.VolumeMode = "Block";
        var labelled = StorageWorld.Volume("labelled", "1Gi", "manual");
        labelled.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "db" };

        Assert.That(VolumeMatcher.FindBest(claim, [unlabelled, block, labelled], null, delayBinding: false)?.Metadata.Name, Is.EqualTo("labelled"));
    }
}
