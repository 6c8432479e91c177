using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Runtime.Docker;
using MiniKube.Agent.Runtime.Registries;

namespace MiniKube.Agent.Tests.Runtime.Docker;

public sealed class DockerCertsDirectoryTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("mkube-certs-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Apply_WritesOurFilesPerHost_AndRemovesThemWhenTheConfigDropsThem()
    {
        var root = Path.Combine(_dir, "certs.d");
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), "CA");
        File.WriteAllText(Path.Combine(_dir, "client.pem"), "CERT");
        File.WriteAllText(Path.Combine(_dir, "client-key.pem"), "KEY");
        Directory.CreateDirectory(Path.Combine(root, "registry.test:5000"));
        File.WriteAllText(Path.Combine(root, "registry.test:5000", "ca.crt"), "the operator's");
        var certs = new DockerCertsDirectory(root, NullLogger.Instance);

        certs.Apply(RegistriesConfig.Parse($$"""
            configs:
              "registry.test:5000":
                tls: {ca_file: {{_dir}}/ca.pem, cert_file: {{_dir}}/client.pem, key_file: {{_dir}}/client-key.pem}
              "other.test":
                tls: {ca_file: {{_dir}}/ca.pem}
            """));

        var host = Path.Combine(root, "registry.test:5000");
        Assert.That(File.ReadAllText(Path.Combine(host, "mkube-ca.crt")), Is.EqualTo("CA"));
        Assert.That(File.ReadAllText(Path.Combine(host, "mkube-client.cert")), Is.EqualTo("CERT"));
        Assert.That(File.ReadAllText(Path.Combine(host, "mkube-client.key")), Is.EqualTo("KEY"));
        Assert.That(File.GetUnixFileMode(Path.Combine(host, "mkube-client.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.Exists(Path.Combine(root, "other.test", "mkube-ca.crt")));

        certs.Apply(RegistriesConfig.Empty);

        Assert.That(Directory.EnumerateFiles(host).Select(Path.GetFileName), Is.EqualTo(new[] { "ca.crt" }), "the operator's file stays");
        Assert.That(Directory.Exists(Path.Combine(root, "other.test")), Is.False, "a directory only we used goes");
    }
}
