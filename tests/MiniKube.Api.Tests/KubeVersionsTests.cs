namespace MiniKube.Api.Tests;

public sealed class KubeVersionsTests
{
    [Test]
    public void Comparer_SortsAsKubernetesDoes()
    {
        // The example of apimachinery's version/helpers.go.
        string[] versions = ["foo10", "v1", "v12alpha1", "v10", "v3beta1", "v11alpha2", "v2", "foo1", "v10beta3", "v11beta2"];

        var sorted = versions.Order(KubeVersions.Comparer).ToArray();

        Assert.That(sorted, Is.EqualTo(new[] { "v10", "v2", "v1", "v11beta2", "v10beta3", "v3beta1", "v12alpha1", "v11alpha2", "foo1", "foo10" }));
    }
}
