using System.Security.Cryptography;
using System.Text;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer.Tests.Pki;

[TestFixture]
public sealed class JoinTokenTests
{
    private string _dir = null!;
    private ClusterPki _pki = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("mkube-token-").FullName;
        _pki = ClusterPki.LoadOrCreate(Path.Combine(_dir, "tls"), ["localhost"], TimeProvider.System);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string TokenPath => Path.Combine(_dir, "token");

    [Test]
    public void LoadOrCreate_NoTokenGiven_WritesK10TokenPinningTheCa()
    {
        var token = JoinToken.LoadOrCreate(TokenPath, null, _pki);

        var caHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(ClusterPki.Pem(_pki.Ca))));
        Assert.That(token, Does.Match($"^K10{caHash}::server:[0-9a-f]{{32}}$"));
        Assert.That(File.ReadAllText(TokenPath).Trim(), Is.EqualTo(token));
        Assert.That(File.GetUnixFileMode(TokenPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void LoadOrCreate_Restart_KeepsTheSameSecret()
    {
        var first = JoinToken.LoadOrCreate(TokenPath, null, _pki);

        Assert.That(JoinToken.LoadOrCreate(TokenPath, null, _pki), Is.EqualTo(first));
    }

    [TestCase("my-secret")]
    [TestCase("K10abc::server:my-secret")]
    public void LoadOrCreate_TokenFlag_BecomesTheSecret(string given)
    {
        var token = JoinToken.LoadOrCreate(TokenPath, given, _pki);

        Assert.That(JoinToken.SecretOf(token), Is.EqualTo("my-secret"));
    }

    [Test]
    public void WriteAgentToken_AgentSecret_IsANodeTokenPinningTheSameCa()
    {
        var server = JoinToken.LoadOrCreate(TokenPath, null, _pki);
        var path = Path.Combine(_dir, "agent-token");

        var agent = JoinToken.WriteAgentToken(path, "agent-secret", server, _pki);

        Assert.That(agent, Does.Match("^K10[0-9a-f]{64}::node:agent-secret$"));
        Assert.That(JoinToken.CaHashOf(agent), Is.EqualTo(JoinToken.CaHashOf(server)));
        Assert.That(JoinToken.SecretOf(agent), Is.EqualTo("agent-secret"));
        Assert.That(File.ReadAllText(path).Trim(), Is.EqualTo(agent));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void WriteAgentToken_NoAgentSecret_IsTheServerToken()
    {
        var server = JoinToken.LoadOrCreate(TokenPath, null, _pki);

        Assert.That(JoinToken.WriteAgentToken(Path.Combine(_dir, "agent-token"), null, server, _pki), Is.EqualTo(server));
    }
}
