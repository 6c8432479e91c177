using System.Text;
using k8s.Models;
using MiniKube.Agent.Kubelet.Images;

namespace MiniKube.Agent.Tests.Kubelet.Images;

/// <summary>Credentials matched to images as upstream's keyring matches them (pkg/credentialprovider/keyring_test.go's cases, in our words).</summary>
public sealed class DockerKeyringTests
{
    [TestCase("registry.test:5000", "registry.test:5000/team/app", true)]
    [TestCase("registry.test:5000", "registry.test/team/app", false)]
    [TestCase("registry.test", "registry.test:5000/team/app", false)]
    [TestCase("registry.test/team", "registry.test/team/app", true)]
    [TestCase("registry.test/team", "registry.test/other/app", false)]
    [TestCase("*.registry.test", "eu.registry.test/app", true)]
    [TestCase("*.registry.test", "registry.test/app", false)]
    [TestCase("*.registry.test", "a.b.registry.test/app", false)]
    [TestCase("eu.*.test", "eu.registry.test/app", true)]
    [TestCase("registry-?.test", "registry-1.test/app", true)]
    [TestCase("registry-[0-9].test", "registry-x.test/app", false)]
    public void UrlsMatch_HostPortPathAndGlobs(string key, string image, bool matches) =>
        Assert.That(DockerKeyring.UrlsMatch(key, image), Is.EqualTo(matches));

    [Test]
    public void Lookup_EveryMatchingKey_LongestFirst_InSecretOrder()
    {
        var keyring = DockerKeyring.FromSecrets([
            ConfigJson("a", ("registry.test", "host")),
            ConfigJson("b", ("https://registry.test/team/", "team"), ("http://registry.test/v2/", "host-again")),
            ConfigJson("c", ("other.test", "other")),
        ]);

        Assert.That(keyring.Lookup("registry.test/team/app").Select(c => c.Username), Is.EqualTo(new[] { "team", "host", "host-again" }));
        Assert.That(keyring.Lookup("registry.test/elsewhere/app").Select(c => c.Username), Is.EqualTo(new[] { "host", "host-again" }));
        Assert.That(keyring.Lookup("unknown.test/app"), Is.Empty);
    }

    [TestCase("docker.io/library/busybox")]
    [TestCase("docker.io/team/app")]
    public void Lookup_DockerHubImage_GetsTheIndexEntry(string image)
    {
        var keyring = DockerKeyring.FromSecrets([ConfigJson("hub", ("https://index.docker.io/v1/", "hub"))]);

        Assert.That(keyring.Lookup(image).Single().Username, Is.EqualTo("hub"));
        Assert.That(keyring.Lookup("quay.test/team/app"), Is.Empty);
    }

    [Test]
    public void FromSecrets_LegacyDockercfg_AndAuthOverridesUsername()
    {
        var legacy = Secret("old", "kubernetes.io/dockercfg", ".dockercfg", """{"registry.test":{"username":"ignored","auth":"dXNlcjpwYXNzOndpdGg6Y29sb25z"}}""");
        var opaque = Secret("opaque", "Opaque", ".dockerconfigjson", """{"auths":{"registry.test":{"username":"never"}}}""");

        var found = DockerKeyring.FromSecrets([legacy, opaque]).Lookup("registry.test/app").Single();

        Assert.That((found.Username, found.Password), Is.EqualTo(("user", "pass:with:colons")));
    }

    [TestCase("""{"auths":{"registry.test":{"auth":"bm9jb2xvbg=="}}}""", "unable to parse auth field, must be formatted as base64(username:password)")]
    [TestCase("""{"auths":{"registry.test":{"auth":"%%%"}}}""", "unable to parse auth field, must be formatted as base64(username:password)")]
    [TestCase("""{"auths":""", "is not valid JSON")]
    public void FromSecrets_Undecodable_FormatException(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DockerKeyring.FromSecrets([Secret("bad", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", json)]));

        Assert.That(e!.Message, Does.Contain(expected));
    }

    private static V1Secret ConfigJson(string name, params (string Registry, string User)[] entries) =>
        Secret(name, "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
            "{\"auths\":{" + string.Join(",", entries.Select(e => $"\"{e.Registry}\":{{\"username\":\"{e.User}\",\"password\":\"p\"}}")) + "}}");

    private static V1Secret Secret(string name, string type, string key, string json) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Type = type,
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(json) },
    };
}
