using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MiniKube.ApiServer.ServiceAccounts;

namespace MiniKube.ApiServer.Tests.ServiceAccounts;

public sealed class JwtTests
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"sub\":\"system:serviceaccount:default:default\"}");

    [Test]
    public void Sign_ThenVerify_GivesThePayloadBack()
    {
        using var keys = ServiceAccountKeys.Generate();

        var token = Jwt.Sign(keys.Signing, keys.SigningKeyId, Payload);

        Assert.That(Jwt.Verify(token, keys.For), Is.EqualTo(Payload));
        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.'))));
        Assert.That(header, Is.EqualTo($"{{\"alg\":\"RS256\",\"kid\":\"{keys.SigningKeyId}\"}}"));
    }

    [Test]
    public void Verify_TamperedPayloadOrSignature_Null()
    {
        using var keys = ServiceAccountKeys.Generate();
        var token = Jwt.Sign(keys.Signing, keys.SigningKeyId, Payload);
        var parts = token.Split('.');
        var otherPayload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"sub\":\"system:serviceaccount:kube-system:admin\"}"));
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 1;

        Assert.That(Jwt.Verify($"{parts[0]}.{otherPayload}.{parts[2]}", keys.For), Is.Null);
        Assert.That(Jwt.Verify($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}", keys.For), Is.Null);
    }

    [Test]
    public void Verify_AlgNoneOrAnotherAlgorithm_Null()
    {
        using var keys = ServiceAccountKeys.Generate();
        var payload = Base64Url.EncodeToString(Payload);

        foreach (var alg in new[] { "none", "HS256", "ES256" })
        {
            var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"{alg}\"}}"));
            Assert.That(Jwt.Verify($"{header}.{payload}.", keys.For), Is.Null, alg);
            Assert.That(Jwt.Verify($"{header}.{payload}.AAAA", keys.For), Is.Null, alg);
        }
    }

    [Test]
    public void Verify_SignedByAKeyNotInTheSet_Null()
    {
        using var keys = ServiceAccountKeys.Generate();
        using var stranger = ServiceAccountKeys.Generate();

        Assert.That(Jwt.Verify(Jwt.Sign(stranger.Signing, stranger.SigningKeyId, Payload), keys.For), Is.Null);
        Assert.That(Jwt.Verify(Jwt.Sign(stranger.Signing, keys.SigningKeyId, Payload), keys.For), Is.Null);
    }

    [Test]
    public void Verify_RotatedKeyStillListed_Verifies()
    {
        using var old = RSA.Create(2048);
        using var keys = ServiceAccountKeys.From(RSA.Create(2048), old);

        var token = Jwt.Sign(old, ServiceAccountKeys.KeyId(old), Payload);

        Assert.That(Jwt.Verify(token, keys.For), Is.EqualTo(Payload));
    }

    [TestCase("")]
    [TestCase("abc")]
    [TestCase("a.b")]
    [TestCase("a.b.c.d")]
    [TestCase("!!.??.**")]
    [TestCase("e30.e30.")]
    public void Verify_Malformed_Null(string token)
    {
        using var keys = ServiceAccountKeys.Generate();

        Assert.That(Jwt.Verify(token, keys.For), Is.Null);
    }
}
