using System.Text;
using MiniKube.ApiServer.Encryption;

namespace MiniKube.ApiServer.Tests.Encryption;

public sealed class EncryptionConfigurationTests
{
    private const string Secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Test]
    public void ToJson_AesCbcThenIdentity_IsTheFileK3sWrites()
    {
        var configuration = new EncryptionConfiguration(
        [
            new EncryptionProvider(EncryptionProviders.AesCbc, [new EncryptionKey("aescbckey", Secret)]),
            new EncryptionProvider(EncryptionProviders.Identity, []),
        ]);

        Assert.That(Encoding.UTF8.GetString(configuration.ToJson()), Is.EqualTo(
            "{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],"
            + "\"providers\":[{\"aescbc\":{\"keys\":[{\"name\":\"aescbckey\",\"secret\":\"" + Secret + "\"}]}},{\"identity\":{}}]}]}"));
    }

    [Test]
    public void Parse_WhatToJsonWrote_GivesTheSameProviders()
    {
        var configuration = EncryptionConfiguration.Create(EncryptionProviders.Secretbox, "secretboxkey").WithActiveKey(EncryptionConfiguration.NewKey("next"));

        var parsed = EncryptionConfiguration.Parse(configuration.ToJson());

        Assert.That(parsed.Keys.Select(k => (k.Type, k.Key)), Is.EqualTo(configuration.Keys.Select(k => (k.Type, k.Key))));
        Assert.That(parsed.Keys.Select(k => k.Key.Name), Is.EqualTo(new[] { "next", "secretboxkey" }));
        Assert.That(parsed.Encrypts, Is.True);
        Assert.That(parsed.Providers[^1].Type, Is.EqualTo(EncryptionProviders.Identity));
    }

    [Test]
    public void WithEncryption_False_PutsIdentityFirst()
    {
        var configuration = EncryptionConfiguration.Create(EncryptionProviders.AesCbc, "aescbckey");

        var disabled = configuration.WithEncryption(false);

        Assert.That(disabled.Encrypts, Is.False);
        Assert.That(disabled.Providers.Select(p => p.Type), Is.EqualTo(new[] { "identity", "aescbc" }));
        Assert.That(disabled.WithEncryption(true).Providers.Select(p => p.Type), Is.EqualTo(new[] { "aescbc", "identity" }));
    }

    [Test]
    public void WithActiveKeyOnly_DropsOlderKeysAndKeepsIdentity()
    {
        var rotated = EncryptionConfiguration.Create(EncryptionProviders.AesCbc, "old").WithActiveKey(EncryptionConfiguration.NewKey("new"));

        var trimmed = rotated.WithActiveKeyOnly();

        Assert.That(trimmed.Keys.Select(k => k.Key.Name), Is.EqualTo(new[] { "new" }));
        Assert.That(trimmed.Providers.Select(p => p.Type), Is.EqualTo(new[] { "aescbc", "identity" }));
    }

    [TestCase("{\"kind\":\"Secret\",\"apiVersion\":\"v1\"}", "not an EncryptionConfiguration")]
    [TestCase("{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"configmaps\"],\"providers\":[{\"identity\":{}}]}]}", "resources: no entry for secrets")]
    [TestCase("{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],\"providers\":[{\"aesgcm\":{\"keys\":[]}}]}]}", "providers[0]: provider type \"aesgcm\" is not supported")]
    [TestCase("{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],\"providers\":[{\"aescbc\":{\"keys\":[{\"name\":\"k\",\"secret\":\"AAAA\"}]}}]}]}", "providers[0].aescbc.keys[0].secret: Invalid value: \"REDACTED\": secret is not of the expected length, got 3")]
    [TestCase("{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],\"providers\":[{\"secretbox\":{\"keys\":[{\"name\":\"k\",\"secret\":\"!!\"}]}}]}]}", "providers[0].secretbox.keys[0].secret: Invalid value: \"REDACTED\": secrets must be base64 encoded")]
    [TestCase("{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],\"providers\":[{\"aescbc\":{\"keys\":[{\"name\":\"k\",\"secret\":\"" + Secret + "\"},{\"name\":\"k\",\"secret\":\"" + Secret + "\"}]}}]}]}", "providers[0].aescbc.keys[1].name: Duplicate value: \"k\"")]
    [TestCase("not json", "not a JSON EncryptionConfiguration")]
    public void Parse_BadFile_NamesTheFieldNeverTheKey(string json, string expected)
    {
        Assert.That(() => EncryptionConfiguration.Parse(Encoding.UTF8.GetBytes(json)),
            Throws.TypeOf<InvalidDataException>().With.Message.StartsWith(expected).And.Message.Not.Contain(Secret));
    }

    [Test]
    public void EncryptionKey_ToString_HidesTheSecret()
    {
        Assert.That(new EncryptionKey("k", Secret).ToString(), Does.Not.Contain(Secret).And.Contain("k"));
    }
}
