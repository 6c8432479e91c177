using MiniKube.ApiServer.NodeAuthorization;
using MiniKube.ApiServer.Resources;
using JsonNode = System.Text.Json.Nodes.JsonNode;

namespace MiniKube.ApiServer.Tests.NodeAuthorization;

/// <summary>The graph, fed as the server feeds it: what a node reaches through its pods, PVs and attachments, and what it stops reaching.</summary>
public sealed class NodeGraphTests
{
    private NodeGraph _graph = null!;
    private NodeGraphFeed _feed = null!;
    private long _revision;

    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType Volumes = ResourceCatalog.Find("", "v1", "persistentvolumes")!;
    private static readonly ResourceType Attachments = ResourceCatalog.Find("storage.k8s.io", "v1", "volumeattachments")!;

    [SetUp]
    public void NewGraph()
    {
        _graph = new NodeGraph();
        _feed = new NodeGraphFeed(_graph);
    }

    private void Put(ResourceType type, string json) => _feed.Apply(type, JsonNode.Parse(json)!.AsObject(), gone: false, ++_revision);

    private void Delete(ResourceType type, string json) => _feed.Apply(type, JsonNode.Parse(json)!.AsObject(), gone: true, ++_revision);

    private static string Pod(string name, string node, string spec = "", string annotations = "", string uid = "u1") =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"ns","uid":"{{{uid}}}"{{{annotations}}}},"spec":{"nodeName":"{{{node}}}","containers":[{"name":"c","image":"i"}]{{{spec}}}}}""";

    private const string UsesEverything = """
        ,"serviceAccountName":"sa","imagePullSecrets":[{"name":"pull"}],
        "initContainers":[{"name":"i","envFrom":[{"secretRef":{"name":"init-env"}}]}],
        "ephemeralContainers":[{"name":"e","env":[{"name":"x","valueFrom":{"configMapKeyRef":{"name":"debug-cm","key":"k"}}}]}],
        "volumes":[{"name":"s","secret":{"secretName":"vol-secret"}},{"name":"c","configMap":{"name":"vol-cm"}},
          {"name":"p","projected":{"sources":[{"secret":{"name":"proj-secret"}},{"configMap":{"name":"proj-cm"}}]}},
          {"name":"csi","csi":{"driver":"d","nodePublishSecretRef":{"name":"csi-secret"}}},
          {"name":"rbd","rbd":{"monitors":["m"],"image":"i","secretRef":{"name":"rbd-secret"}}},
          {"name":"claim","persistentVolumeClaim":{"claimName":"data"}},{"name":"scratch","ephemeral":{"volumeClaimTemplate":{"spec":{}}}}]
        """;

    [TestCase("ServiceAccount", "sa")]
    [TestCase("Secret", "pull")]
    [TestCase("Secret", "init-env")]
    [TestCase("Secret", "vol-secret")]
    [TestCase("Secret", "proj-secret")]
    [TestCase("Secret", "csi-secret")]
    [TestCase("Secret", "rbd-secret")]
    [TestCase("ConfigMap", "debug-cm")]
    [TestCase("ConfigMap", "vol-cm")]
    [TestCase("ConfigMap", "proj-cm")]
    [TestCase("PersistentVolumeClaim", "data")]
    [TestCase("PersistentVolumeClaim", "web-scratch")]
    [TestCase("Pod", "web")]
    public void Reaches_WhatAPodBoundToTheNodeUses(string kindName, string name)
    {
        var kind = Enum.Parse<GraphKind>(kindName);
        Put(Pods, Pod("web", "a", UsesEverything));

        Assert.That(_graph.Reaches("a", kind, "ns", name), Is.True);
        Assert.That(_graph.Reaches("b", kind, "ns", name), Is.False, "another node");
        Assert.That(_graph.Reaches("a", kind, "other", name), Is.False, "another namespace");
    }

    [Test]
    public void Reaches_NothingOfAnUnscheduledPod()
    {
        Put(Pods, Pod("web", "", UsesEverything));

        Assert.That(_graph.Reaches("a", GraphKind.Secret, "ns", "vol-secret"), Is.False);
        Assert.That(_graph.VertexCount, Is.Zero);
    }

    [Test]
    public void Reaches_OnlyItselfForAMirrorPod()
    {
        Put(Pods, Pod("static", "a", UsesEverything, annotations: ""","annotations":{"kubernetes.io/config.mirror":"h"}"""));

        Assert.That(_graph.Reaches("a", GraphKind.Pod, "ns", "static"), Is.True);
        Assert.That(_graph.Reaches("a", GraphKind.Secret, "ns", "vol-secret"), Is.False);
        Assert.That(_graph.Reaches("a", GraphKind.ServiceAccount, "ns", "sa"), Is.False);
    }

    [Test]
    public void Delete_ForgetsThePodAndWhatOnlyItUsed()
    {
        Put(Pods, Pod("web", "a", UsesEverything));
        Put(Pods, Pod("other", "a", ""","volumes":[{"name":"s","secret":{"secretName":"vol-secret"}}]""", uid: "u2"));

        Delete(Pods, Pod("web", "a", UsesEverything));

        Assert.That(_graph.Reaches("a", GraphKind.Secret, "ns", "pull"), Is.False);
        Assert.That(_graph.Reaches("a", GraphKind.Secret, "ns", "vol-secret"), Is.True, "still used by another pod on a");
        Delete(Pods, Pod("other", "a", "", uid: "u2"));
        Assert.That(_graph.VertexCount, Is.Zero, "no orphans left");
    }

    [Test]
    public void Apply_OlderStateAfterDeletion_DoesNotBringThePodBack()
    {
        Put(Pods, Pod("web", "a", UsesEverything));
        var stale = _revision;
        Delete(Pods, Pod("web", "a", UsesEverything));

        _feed.Apply(Pods, JsonNode.Parse(Pod("web", "a", UsesEverything))!.AsObject(), gone: false, stale);

        Assert.That(_graph.Reaches("a", GraphKind.Pod, "ns", "web"), Is.False);
    }

    [Test]
    public void Apply_RecreatedPodOnAnotherNode_MovesItsReferences()
    {
        Put(Pods, Pod("web", "a", UsesEverything));

        Put(Pods, Pod("web", "b", UsesEverything, uid: "u2"));

        Assert.That(_graph.Reaches("a", GraphKind.Secret, "ns", "vol-secret"), Is.False);
        Assert.That(_graph.Reaches("b", GraphKind.Secret, "ns", "vol-secret"), Is.True);
    }

    [Test]
    public void Apply_AddedEphemeralContainer_ItsSecretsBecomeReachable()
    {
        Put(Pods, Pod("web", "a"));

        Put(Pods, Pod("web", "a", ""","ephemeralContainers":[{"name":"debug","envFrom":[{"secretRef":{"name":"debug-secret"}}]}]"""));

        Assert.That(_graph.Reaches("a", GraphKind.Secret, "ns", "debug-secret"), Is.True);
    }

    [Test]
    public void Reaches_ThePersistentVolumeOfAClaimAndItsSecret()
    {
        Put(Pods, Pod("web", "a", UsesEverything));
        Put(Volumes, """{"metadata":{"name":"pv1"},"spec":{"claimRef":{"namespace":"ns","name":"data"},"csi":{"driver":"d","volumeHandle":"h","nodeStageSecretRef":{"name":"stage","namespace":"creds"},"controllerPublishSecretRef":{"name":"controller","namespace":"creds"}}}}""");

        Assert.That(_graph.Reaches("a", GraphKind.PersistentVolume, "", "pv1"), Is.True);
        Assert.That(_graph.Reaches("a", GraphKind.Secret, "creds", "stage"), Is.True);
        Assert.That(_graph.Reaches("a", GraphKind.Secret, "creds", "controller"), Is.False, "the kubelet never reads controller secrets");
        Assert.That(_graph.Reaches("b", GraphKind.PersistentVolume, "", "pv1"), Is.False);
    }

    [Test]
    public void Reaches_AVolumeAttachmentToTheNode()
    {
        Put(Attachments, """{"metadata":{"name":"va1"},"spec":{"nodeName":"a","attacher":"d","source":{}}}""");

        Assert.That(_graph.Reaches("a", GraphKind.VolumeAttachment, "", "va1"), Is.True);
        Assert.That(_graph.Reaches("b", GraphKind.VolumeAttachment, "", "va1"), Is.False);
    }

    [Test]
    public void RetainOnly_ForgetsPodsARelistNoLongerHas()
    {
        Put(Pods, Pod("web", "a", UsesEverything));

        _feed.RetainOnly(Pods, new HashSet<(string, string)>(), ++_revision);

        Assert.That(_graph.Reaches("a", GraphKind.Pod, "ns", "web"), Is.False);
    }

    [Test]
    public void Reaches_ASecretSharedByPodsOnManyNodes_UntilTheLastPodOfANodeGoes()
    {
        for (var i = 0; i < 1000; i++)
        {
            Put(Pods, Pod("p" + i, "n" + (i % 100), ""","volumes":[{"name":"s","secret":{"secretName":"shared"}}]""", uid: "u" + i));
        }
        Put(Pods, Pod("lonely", "z", "", uid: "z"));

        Assert.That(Enumerable.Range(0, 100).All(n => _graph.Reaches("n" + n, GraphKind.Secret, "ns", "shared")), Is.True);
        Assert.That(_graph.Reaches("z", GraphKind.Secret, "ns", "shared"), Is.False);
        for (var i = 7; i < 1000; i += 100)
        {
            Delete(Pods, Pod("p" + i, "n7", "", uid: "u" + i));
        }
        Assert.That(_graph.Reaches("n7", GraphKind.Secret, "ns", "shared"), Is.False);
        Assert.That(_graph.Reaches("n8", GraphKind.Secret, "ns", "shared"), Is.True);
    }
}
