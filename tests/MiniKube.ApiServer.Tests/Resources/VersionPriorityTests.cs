using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Resources;

public sealed class VersionPriorityTests
{
    [TestCase(new[] { "v1alpha1", "v1", "foo", "v2beta1", "v1beta2", "v2" }, new[] { "v2", "v1", "v2beta1", "v1beta2", "v1alpha1", "foo" })]
    [TestCase(new[] { "v10", "v11beta2", "v3beta1", "v12alpha1", "v11alpha2", "v10beta3" }, new[] { "v10", "v11beta2", "v10beta3", "v3beta1", "v12alpha1", "v11alpha2" })]
    public void Compare_Sort_KubernetesOrder(string[] versions, string[] expected)
    {
        var sorted = versions.ToList();

        sorted.Sort(VersionPriority.Compare);

        Assert.That(sorted, Is.EqualTo(expected));
    }
}
