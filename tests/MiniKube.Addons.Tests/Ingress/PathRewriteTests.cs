using MiniKube.Addons.Ingress;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class PathRewriteTests
{
    [TestCase("/prefix/one", "/one", "/prefix/one/two", "/one/two")]
    [TestCase("/strip", "/", "/strip/three", "/three")]
    [TestCase("/strip", "/", "/strip", "/")]
    [TestCase("/old/", "/new", "/old/x", "/new/x")]
    [TestCase("/old", "/new", "/older", "/older")]
    public void ReplacePrefix_MatchedPrefixReplaced_RestKept(string prefix, string replacement, string path, string expected) =>
        Assert.That(PathRewrite.ReplacePrefix(prefix, replacement, path), Is.EqualTo(expected));
}
