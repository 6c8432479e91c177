using System.Text.Json.Nodes;

namespace MiniKube.Api.Tests;

public sealed class YamlJsonTests
{
    [Test]
    public void ReadFirstDocument_PlainScalars_ResolveByTheCoreSchema_QuotedStayStrings()
    {
        var node = YamlJson.ReadFirstDocument("a: 3\nb: \"3\"\nc: true\nd: ~\ne: 1.5\nf: yes\n", 10)!.AsObject();

        Assert.That(node.ToJsonString(), Is.EqualTo("""{"a":3,"b":"3","c":true,"d":null,"e":1.5,"f":"yes"}"""));
    }

    [Test]
    public void ReadFirstDocument_SeveralDocuments_OnlyTheFirst()
    {
        Assert.That(YamlJson.ReadFirstDocument("a: 1\n---\nb: 2\n", 10)!.ToJsonString(), Is.EqualTo("""{"a":1}"""));
        Assert.That(YamlJson.ReadFirstDocument("# only a comment\n", 10), Is.Null);
    }

    [TestCase("a: &x [1]\nb: *x\n", "YAML aliases are not supported")]
    [TestCase("a: [[[1]]]\n", "nesting exceeds 3 levels")]
    [TestCase("? [a]\n: 1\n", "only scalar mapping keys are supported")]
    public void ReadFirstDocument_Refused_SaysWhy(string yaml, string reason)
    {
        var refused = Assert.Throws<InvalidYamlException>(() => YamlJson.ReadFirstDocument(yaml, 3));

        Assert.That(refused!.Message, Does.Contain(reason));
    }

    [Test]
    public void ReadFirstDocument_SyntaxError_NamesTheLine()
    {
        var refused = Assert.Throws<InvalidYamlException>(() => YamlJson.ReadFirstDocument("a: 1\nb: [1\n", 10));

        Assert.That(refused!.Line, Is.EqualTo(3));
    }

    [Test]
    public void ReadFirstDocument_Nested_KeepsStructure()
    {
        var node = YamlJson.ReadFirstDocument("spec:\n  ports:\n  - port: 80\n", 10);

        Assert.That(JsonNode.DeepEquals(node, JsonNode.Parse("""{"spec":{"ports":[{"port":80}]}}""")), Is.True);
    }
}
