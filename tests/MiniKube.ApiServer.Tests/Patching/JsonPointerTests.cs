using MiniKube.ApiServer.Patching;

namespace MiniKube.ApiServer.Tests.Patching;

public class JsonPointerTests
{
    [TestCase("", new string[0])]
    [TestCase("/", new[] { "" })]
    [TestCase("/metadata/labels", new[] { "metadata", "labels" })]
    [TestCase("/metadata/annotations/example.com~1note", new[] { "metadata", "annotations", "example.com/note" })]
    [TestCase("/a~0b", new[] { "a~b" })]
    [TestCase("/a~01", new[] { "a~1" })]
    [TestCase("/a~10", new[] { "a/0" })]
    [TestCase("/a~2", new[] { "a~2" })]
    public void TryParse_Pointer_UnescapesTokens(string text, string[] tokens)
    {
        var pointer = JsonPointer.TryParse(text);

        Assert.That(pointer, Is.Not.Null);
        Assert.That(pointer!.Tokens, Is.EqualTo(tokens));
        Assert.That(pointer.IsRoot, Is.EqualTo(tokens.Length == 0));
    }

    [Test]
    public void TryParse_WithoutLeadingSlash_IsNull()
    {
        Assert.That(JsonPointer.TryParse("metadata/name"), Is.Null);
    }
}
