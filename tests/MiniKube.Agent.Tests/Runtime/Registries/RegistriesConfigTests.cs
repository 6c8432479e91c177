using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Registries;

namespace MiniKube.Agent.Tests.Runtime.Registries;

/// <summary>registries.yaml as k3s documents it, read for Docker.</summary>
public sealed class RegistriesConfigTests
{
    private const string Example = """
        mirrors:
          docker.io:
            endpoint:
              - "https://mirror.test:5000"
              - "https://registry-1.docker.io"
              - "http://10.0.0.9:5000/v2"
            rewrite:
              "^rancher/(.*)": "mirrorproject/rancher-images/$1"
              "^library/(.*)": "hub/$1"
          "*":
            endpoint: ["https://catch-all.test"]
          registry.test:
            endpoint: ["https://registry.test:443", "https://proxy.test/some/path"]
        configs:
          "mirror.test:5000":
            auth: {username: user, password: pass}
            tls: {ca_file: /etc/ca.crt, insecure_skip_verify: true}
          "https://catch-all.test":
            auth: {identity_token: token}
          docker.io:
          "*":
            auth: {auth: dXNlcjpwYXNz}
        """;

    [Test]
    public void SourcesFor_MirrorEndpointsWithTheFirstRewrite_ThenTheRegistryItself()
    {
        var sources = RegistriesConfig.Parse(Example).SourcesFor(ImageReference.Parse("rancher/mirrored-pause:3.6").Normalized);

        Assert.That(sources.Select(s => (s.Reference.ToString(), s.Host, s.Mirror)), Is.EqualTo(new[]
        {
            ("mirror.test:5000/mirrorproject/rancher-images/mirrored-pause:3.6", "mirror.test:5000", true),
            ("10.0.0.9:5000/mirrorproject/rancher-images/mirrored-pause:3.6", "10.0.0.9:5000", true),
            ("rancher/mirrored-pause:3.6", "docker.io", false),
        }), "registry-1.docker.io is Hub's default endpoint: tried last, unrewritten");
    }

    [Test]
    public void SourcesFor_OneWordHubImage_RewritesItsLibraryPath() =>
        Assert.That(RegistriesConfig.Parse(Example).SourcesFor(ImageReference.Parse("busybox").Normalized)[0].Reference.ToString(), Is.EqualTo("mirror.test:5000/hub/busybox:latest"));

    [Test]
    public void SourcesFor_RegistryWithoutEntry_TakesTheWildcardMirror() =>
        Assert.That(RegistriesConfig.Parse(Example).SourcesFor(ImageReference.Parse("quay.test/team/app:1")).Select(s => s.Reference.ToString()),
            Is.EqualTo(new[] { "catch-all.test/team/app:1", "quay.test/team/app:1" }));

    [Test]
    public void SourcesFor_ExplicitPortIsAMirror_PathEndpointIsSkipped() =>
        Assert.That(RegistriesConfig.Parse(Example).SourcesFor(ImageReference.Parse("registry.test/app:1")).Select(s => s.Reference.ToString()),
            Is.EqualTo(new[] { "registry.test:443/app:1", "registry.test/app:1" }));

    [Test]
    public void SourcesFor_Digest_OnlyTheRegistryItself() =>
        Assert.That(RegistriesConfig.Parse(Example).SourcesFor(ImageReference.Parse("quay.test/app@sha256:abc")).Select(s => s.Reference.ToString()),
            Is.EqualTo(new[] { "quay.test/app@sha256:abc" }));

    [Test]
    public void CredentialFor_HostEntry_ElseWildcard_ButAnEmptyEntryHasNone()
    {
        var config = RegistriesConfig.Parse(Example);

        Assert.That(config.CredentialFor("mirror.test:5000")?.Password, Is.EqualTo("pass"));
        Assert.That(config.CredentialFor("catch-all.test")?.IdentityToken, Is.EqualTo("token"));
        Assert.That(config.CredentialFor("elsewhere.test")?.Auth, Is.EqualTo("dXNlcjpwYXNz"));
        Assert.That(config.CredentialFor("docker.io"), Is.Null, "docker.io's empty entry keeps the wildcard away, as in k3s' example");
        Assert.That(config.CredentialFor("index.docker.io"), Is.Null);
    }

    [Test]
    public void Problems_WhatDockerCannotHonour()
    {
        var problems = RegistriesConfig.Parse(Example).Problems().ToList();

        Assert.That(problems, Has.Some.Contains("https://proxy.test/some/path of registry.test is skipped"));
        Assert.That(problems, Has.Some.Contains("http://10.0.0.9:5000/v2 of docker.io is plain HTTP").And.Contains("insecure-registries"));
        Assert.That(problems, Has.Some.Contains("insecure_skip_verify of mirror.test:5000 is not honoured"));
        Assert.That(problems, Has.Count.EqualTo(3));
    }

    [Test]
    public void Problems_LoopbackHttp_IsFine() =>
        Assert.That(RegistriesConfig.Parse("mirrors: {x.test: {endpoint: [\"http://127.0.0.1:5000\"]}}").Problems(), Is.Empty);

    [TestCase("mirrors: [a, b]", "mirrors must be a mapping")]
    [TestCase("mirrors: {x: {endpoint: https://a}}", "mirrors.x.endpoint must be a list")]
    [TestCase("mirrors: {x: {rewrite: {\"(\": y}}}", "is not a regular expression")]
    [TestCase("configs: {x: {tls: {insecure_skip_verify: maybe}}}", "must be true or false")]
    [TestCase("mirrors: {x: [", "not valid YAML")]
    public void Parse_Invalid_SaysWhat(string yaml, string expected) =>
        Assert.That(Assert.Throws<FormatException>(() => RegistriesConfig.Parse(yaml))!.Message, Does.Contain(expected));

    [Test]
    public void Parse_EmptyFile_Empty() =>
        Assert.That(RegistriesConfig.Parse("").Mirrors, Is.Empty);
}
