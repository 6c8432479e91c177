using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class StaticPodManifestTests
{
    private const string Web = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels:
            app: web
        spec:
          containers:
          - name: main
            image: mkube.local/busybox:1
            command: ["sleep", "3600"]
            ports:
            - containerPort: 80
        """;

    private static readonly DateTimeOffset Seen = new(2025, 1, 2, 3, 4, 5, 600, TimeSpan.Zero);

    [Test]
    public void Parse_Pod_NameGetsNodeSuffixNamespaceDefaultsAndIsBoundToNode()
    {
        var pod = StaticPodManifest.Parse("/m/web.yaml", Web, "Node1", Seen).Single();

        Assert.That(pod.Metadata.Name, Is.EqualTo("web-node1"));
        Assert.That(pod.Metadata.NamespaceProperty, Is.EqualTo("default"));
        Assert.That(pod.Spec.NodeName, Is.EqualTo("Node1"));
        Assert.That(pod.Metadata.Labels["app"], Is.EqualTo("web"));
        Assert.That(pod.Spec.Containers.Single().Ports.Single().ContainerPort, Is.EqualTo(80));
        Assert.That(pod.Spec.Tolerations, Has.One.Matches<k8s.Models.V1Toleration>(t => t.OperatorProperty == "Exists" && t.Effect == "NoExecute"));
        Assert.That(pod.Status.Phase, Is.EqualTo("Pending"));
    }

    [Test]
    public void Parse_Pod_CarriesSourceHashAndSeenAnnotations()
    {
        var pod = StaticPodManifest.Parse("/m/web.yaml", Web, "node1", Seen).Single();

        Assert.That(pod.Metadata.Uid, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(pod.Metadata.Annotations[StaticPods.HashAnnotation], Is.EqualTo(pod.Metadata.Uid));
        Assert.That(pod.Metadata.Annotations[StaticPods.SourceAnnotation], Is.EqualTo("file"));
        Assert.That(pod.Metadata.Annotations[StaticPods.SeenAnnotation], Is.EqualTo("2025-01-02T03:04:05.6Z"));
        Assert.That(StaticPods.IsStatic(pod), Is.True);
        Assert.That(StaticPods.IsMirror(pod), Is.False);
    }

    [Test]
    public void Parse_SameContentNodeAndFile_SameUid()
    {
        var first = StaticPodManifest.Parse("/m/web.yaml", Web, "node1", Seen).Single();
        var again = StaticPodManifest.Parse("/m/web.yaml", Web, "node1", Seen.AddHours(1)).Single();

        Assert.That(again.Metadata.Uid, Is.EqualTo(first.Metadata.Uid));
    }

    [Test]
    public void Parse_EditedContentOtherNodeOrOtherFile_OtherUid()
    {
        var uid = StaticPodManifest.Parse("/m/web.yaml", Web, "node1", Seen).Single().Metadata.Uid;

        var edited = StaticPodManifest.Parse("/m/web.yaml", Web.Replace("3600", "3601", StringComparison.Ordinal), "node1", Seen).Single().Metadata.Uid;
        var otherNode = StaticPodManifest.Parse("/m/web.yaml", Web, "node2", Seen).Single().Metadata.Uid;
        var otherFile = StaticPodManifest.Parse("/m/web2.yaml", Web, "node1", Seen).Single().Metadata.Uid;

        Assert.That(new[] { edited, otherNode, otherFile }, Has.None.EqualTo(uid));
    }

    [Test]
    public void Parse_NamespaceGiven_KeepsIt()
    {
        var pod = StaticPodManifest.Parse("/m/web.yaml", Web.Replace("  name: web\n", "  name: web\n  namespace: kube-system\n", StringComparison.Ordinal), "node1", Seen).Single();

        Assert.That(pod.Metadata.NamespaceProperty, Is.EqualTo("kube-system"));
    }

    [Test]
    public void Parse_Json_ReadsThePod()
    {
        const string json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"api"},
             "spec":{"containers":[{"name":"c","image":"mkube.local/busybox:1"}]}}
            """;

        var pod = StaticPodManifest.Parse("/m/api.json", json, "node1", Seen).Single();

        Assert.That(pod.Metadata.Name, Is.EqualTo("api-node1"));
        Assert.That(pod.Spec.Containers.Single().Image, Is.EqualTo("mkube.local/busybox:1"));
    }

    [Test]
    public void Parse_MultiDocumentYaml_OnePodPerDocument()
    {
        var two = "# two pods\n---\n" + Web + "\n---\n" + Web.Replace("name: web", "name: db", StringComparison.Ordinal) + "\n---\n";

        var pods = StaticPodManifest.Parse("/m/both.yaml", two, "node1", Seen);

        Assert.That(pods.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "web-node1", "db-node1" }));
        Assert.That(pods[0].Metadata.Uid, Is.Not.EqualTo(pods[1].Metadata.Uid));
    }

    [TestCase("apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  containers: [{name: c, image: i}]\n", "metadata.name is required")]
    [TestCase("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", "only v1 Pods")]
    [TestCase("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n", "at least one container")]
    [TestCase("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n", "image is required")]
    [TestCase("apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec:\n  containers: [{name: c, image: i}]\n", "DNS subdomain")]
    [TestCase("apiVersion: v1\nkind: Pod\nmetadata: {name: p\nspec: [", "not a valid Pod in YAML")]
    [TestCase("# nothing here\n", "no pod")]
    public void Parse_InvalidManifest_ThrowsWithTheReason(string content, string reason)
    {
        var error = Assert.Throws<InvalidStaticPodException>(() => StaticPodManifest.Parse("/m/bad.yaml", content, "node1", Seen));

        Assert.That(error!.Message, Does.Contain(reason));
    }

    [Test]
    public void Parse_BrokenJson_ThrowsWithTheReason()
    {
        var error = Assert.Throws<InvalidStaticPodException>(() => StaticPodManifest.Parse("/m/bad.json", "{\"kind\":", "node1", Seen));

        Assert.That(error!.Message, Does.Contain("not a valid Pod in JSON"));
    }

    [TestCase("/m/a.yaml", true)]
    [TestCase("/m/a.yml", true)]
    [TestCase("/m/a.JSON", true)]
    [TestCase("/m/a.txt", false)]
    [TestCase("/m/.a.yaml", false)]
    [TestCase("/m/a.yaml.swp", false)]
    public void IsManifest_ByExtensionSkippingHiddenFiles(string path, bool expected) =>
        Assert.That(StaticPodManifest.IsManifest(path), Is.EqualTo(expected));
}
