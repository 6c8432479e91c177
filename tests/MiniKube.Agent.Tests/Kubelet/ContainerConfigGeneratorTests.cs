using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class ContainerConfigGeneratorTests
{
    [TestCase("plain", "plain")]
    [TestCase("$(A)-$(B)", "1-two")]
    [TestCase("$$(A)", "$(A)")]
    [TestCase("$(MISSING) stays", "$(MISSING) stays")]
    [TestCase("$(A", "$(A")]
    [TestCase("cost $5", "cost $5")]
    public void Expand_ReferencesToEarlierVariables_AsKubernetesExpandsThem(string text, string expected)
    {
        var env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "two" };

        Assert.That(ContainerConfigGenerator.Expand(text, env), Is.EqualTo(expected));
    }
}
