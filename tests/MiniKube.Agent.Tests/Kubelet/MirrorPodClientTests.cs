using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class MirrorPodClientTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          annotations:
            team: edge
        spec:
          containers:
          - name: main
            image: mkube.local/busybox:1
        """;

    [Test]
    public void MirrorOf_StaticPod_CopiesItWithMirrorHashAndTheNodeAsControllingOwner()
    {
        var staticPod = StaticPodManifest.Parse("/m/web.yaml", Manifest, "node1", DateTimeOffset.UnixEpoch).Single();

        var mirror = MirrorPodClient.MirrorOf(staticPod, "node1", "node-uid-1");

        Assert.That(mirror.Metadata.Name, Is.EqualTo("web-node1"));
        Assert.That(mirror.Metadata.Uid, Is.Null);
        Assert.That(mirror.Status, Is.Null);
        Assert.That(mirror.Spec.NodeName, Is.EqualTo("node1"));
        Assert.That(mirror.Metadata.Annotations[StaticPods.MirrorAnnotation], Is.EqualTo(staticPod.Metadata.Uid));
        Assert.That(mirror.Metadata.Annotations["team"], Is.EqualTo("edge"));
        Assert.That(mirror.Metadata.Annotations[StaticPods.SourceAnnotation], Is.EqualTo("file"));
        var owner = mirror.Metadata.OwnerReferences.Single();
        Assert.That((owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller), Is.EqualTo(("v1", "Node", "node1", "node-uid-1", (bool?)true)));
        Assert.That(StaticPods.IsMirror(mirror), Is.True);
        Assert.That(StaticPods.IsStatic(mirror), Is.False);
        Assert.That(staticPod.Metadata.Annotations.ContainsKey(StaticPods.MirrorAnnotation), Is.False, "the static pod itself is not changed");
    }

    [Test]
    public void RuntimeUid_OfMirror_IsTheStaticPodsUid()
    {
        var staticPod = StaticPodManifest.Parse("/m/web.yaml", Manifest, "node1", DateTimeOffset.UnixEpoch).Single();
        var mirror = MirrorPodClient.MirrorOf(staticPod, "node1", "n");
        mirror.Metadata.Uid = "api-uid";

        Assert.That(StaticPods.RuntimeUid(mirror), Is.EqualTo(staticPod.Metadata.Uid));
        Assert.That(StaticPods.RuntimeUid(staticPod), Is.EqualTo(staticPod.Metadata.Uid));
    }

    [Test]
    public void IsMirrorOf_OutdatedOrDeletingMirror_IsNotTheLiveOne()
    {
        var staticPod = StaticPodManifest.Parse("/m/web.yaml", Manifest, "node1", DateTimeOffset.UnixEpoch).Single();
        var edited = StaticPodManifest.Parse("/m/web.yaml", Manifest.Replace("edge", "core", StringComparison.Ordinal), "node1", DateTimeOffset.UnixEpoch).Single();
        var mirror = MirrorPodClient.MirrorOf(staticPod, "node1", "n");
        var deleting = MirrorPodClient.MirrorOf(staticPod, "node1", "n");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;

        Assert.That(StaticPods.IsMirrorOf(mirror, staticPod), Is.True);
        Assert.That(StaticPods.IsMirrorOf(mirror, edited), Is.False);
        Assert.That(StaticPods.IsMirrorOf(deleting, staticPod), Is.False);
    }
}
