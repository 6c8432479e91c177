using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Tests.Webhooks;

/// <summary>Repeated X-Remote-* values go out as lines of their own (Go reads a joined line as one value).</summary>
public sealed class RepeatedHeadersTests
{
    [Test]
    public void Rewrite_PlaceholderNames_BecomeTheRealHeaderAgain()
    {
        var head = "GET /apis/x/v1 HTTP/1.1\r\nHost: s.n.svc:443\r\nX-Remote-Group: a\r\nMkube-Repeat-0-X-Remote-Group: b, c\r\nmkube-repeat-12-X-Remote-Extra-scopes: r\r\nX-Other: Mkube-Repeat-1-x\r\n\r\n";

        var rewritten = RepeatedHeaders.HeadRewriter.Rewrite(head);

        Assert.That(rewritten, Is.EqualTo("GET /apis/x/v1 HTTP/1.1\r\nHost: s.n.svc:443\r\nX-Remote-Group: a\r\nX-Remote-Group: b, c\r\nX-Remote-Extra-scopes: r\r\nX-Other: Mkube-Repeat-1-x\r\n\r\n"));
    }
}
