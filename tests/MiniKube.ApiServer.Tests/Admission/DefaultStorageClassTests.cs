using System.Text.Json.Nodes;
using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Tests.Admission;

public class DefaultStorageClassTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Class(string name, string created, string? isDefault) => Parse($$"""
        {"metadata":{"name":"{{name}}","creationTimestamp":"{{created}}"{{(isDefault is null ? "" : $$""","annotations":{"storageclass.kubernetes.io/is-default-class":"{{isDefault}}"}""")}}},"provisioner":"x"}
        """);

    [Test]
    public void Wants_ClaimWithoutClass_True()
    {
        Assert.That(DefaultStorageClass.Wants(Parse("""{"spec":{"accessModes":["ReadWriteOnce"]}}""")), Is.True);
        Assert.That(DefaultStorageClass.Wants(Parse("""{"spec":{"storageClassName":null}}""")), Is.True);
    }

    [Test]
    public void Wants_EmptyClassOrBetaAnnotation_False()
    {
        // "" explicitly asks for no class (a statically provisioned volume without one).
        Assert.That(DefaultStorageClass.Wants(Parse("""{"spec":{"storageClassName":""}}""")), Is.False);
        Assert.That(DefaultStorageClass.Wants(Parse("""{"spec":{"storageClassName":"fast"}}""")), Is.False);
        Assert.That(DefaultStorageClass.Wants(Parse("""{"metadata":{"annotations":{"volume.beta.kubernetes.io/storage-class":"fast"}},"spec":{}}""")), Is.False);
    }

    [Test]
    public void Choose_NoClassMarkedDefault_Null()
    {
        var classes = new[] { Class("a", "2024-01-01T00:00:00Z", null), Class("b", "2024-01-01T00:00:00Z", "false") };

        Assert.That(DefaultStorageClass.Choose(classes), Is.Null);
    }

    [Test]
    public void Choose_SeveralDefaults_NewestThenFirstByName()
    {
        var classes = new[]
        {
            Class("old", "2024-01-01T00:00:00Z", "true"),
            Class("zeta", "2024-06-01T00:00:00Z", "true"),
            Class("alpha", "2024-06-01T00:00:00Z", "true"),
            Class("newest-but-not-default", "2025-01-01T00:00:00Z", null),
        };

        Assert.That(DefaultStorageClass.Choose(classes), Is.EqualTo("alpha"));
    }

    [Test]
    public void Choose_BetaAnnotation_CountsAsDefault()
    {
        var beta = Parse("""{"metadata":{"name":"beta","annotations":{"storageclass.beta.kubernetes.io/is-default-class":"true"}}}""");

        Assert.That(DefaultStorageClass.Choose([beta]), Is.EqualTo("beta"));
    }

    [Test]
    public void Apply_ClaimWithoutSpec_SetsClassName()
    {
        var claim = Parse("""{"metadata":{"name":"data"}}""");

        DefaultStorageClass.Apply(claim, "local-path");

        Assert.That(claim["spec"]!["storageClassName"]!.GetValue<string>(), Is.EqualTo("local-path"));
    }
}
