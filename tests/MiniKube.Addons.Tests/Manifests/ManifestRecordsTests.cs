using MiniKube.Api;
using k8s;
using k8s.Models;
using MiniKube.Addons.Manifests;

namespace MiniKube.Addons.Tests.Manifests;

public sealed class ManifestRecordsTests
{
    [TestCase("web.yaml")]
    [TestCase("Apps/My_Big App.YAML")]
    [TestCase("a-very-long-file-name-that-goes-on-and-on-and-on-and-on-and-on.yaml")]
    [TestCase("___.yaml")]
    public void NameFor_AnyPath_IsAValidConfigMapName(string path)
    {
        var name = ManifestRecords.NameFor(path);

        Assert.That(Formats.IsDns1123Label(name), Is.Empty, name);
        Assert.That(name, Does.StartWith("mkube-manifest-"));
    }

    [Test]
    public void NameFor_PathsThatReadAlike_DoNotShareARecord()
    {
        Assert.That(ManifestRecords.NameFor("web.yaml"), Is.Not.EqualTo(ManifestRecords.NameFor("web_yaml")));
        Assert.That(ManifestRecords.NameFor("web.yaml"), Does.StartWith("mkube-manifest-web-yaml-"));
    }

    [Test]
    public void Build_ThenObjects_GivesTheObjectsBackOncePerObject()
    {
        var web = new ManifestObjectRef("apps/v1", "Deployment", "default", "web");
        var ns = new ManifestObjectRef("v1", "Namespace", "", "tools");
        var body = ManifestRecords.Build("apps/web.yaml", "server-1", [web, ns, web]);
        var record = KubernetesJson.Deserialize<V1ConfigMap>(body.ToJsonString());

        Assert.That(ManifestRecords.Objects(record), Is.EquivalentTo(new[] { web, ns }));
        Assert.That(ManifestRecords.Source(record), Is.EqualTo("apps/web.yaml"));
        Assert.That(ManifestRecords.Server(record), Is.EqualTo("server-1"));
        Assert.That(record.Metadata.Labels[ManifestRecords.RecordLabel], Is.EqualTo("true"));
        Assert.That(record.Metadata.NamespaceProperty, Is.EqualTo("kube-system"));
    }

    [Test]
    public void Objects_HandEditedRecord_ReadsWhatItCan()
    {
        var record = new V1ConfigMap { Data = new Dictionary<string, string> { [ManifestRecords.ObjectsKey] = """[{"apiVersion":"v1","kind":"Secret","name":"s","namespace":"a"},{"kind":"x"},3]""" } };
        var broken = new V1ConfigMap { Data = new Dictionary<string, string> { [ManifestRecords.ObjectsKey] = "not json" } };

        Assert.That(ManifestRecords.Objects(record), Is.EqualTo(new[] { new ManifestObjectRef("v1", "Secret", "a", "s") }));
        Assert.That(ManifestRecords.Objects(broken), Is.Empty);
    }
}
