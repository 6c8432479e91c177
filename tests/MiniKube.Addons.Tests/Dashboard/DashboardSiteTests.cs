using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MiniKube.Addons.Dashboard;

namespace MiniKube.Addons.Tests.Dashboard;

public sealed partial class DashboardSiteTests
{
    private static async Task<HttpContext> GetAsync(string path, string method = "GET", string? acceptEncoding = null, string? ifNoneMatch = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        if (acceptEncoding is not null)
        {
            context.Request.Headers.AcceptEncoding = acceptEncoding;
        }
        if (ifNoneMatch is not null)
        {
            context.Request.Headers.IfNoneMatch = ifNoneMatch;
        }
        context.Response.Body = new MemoryStream();
        await new DashboardSite().HandleAsync(context);
        return context;
    }

    private static byte[] Body(HttpContext context) => ((MemoryStream)context.Response.Body).ToArray();

    private static string Asset(string name) => Encoding.UTF8.GetString(DashboardAssets.Embedded.Find(name)!.Content);

    [Test]
    public async Task HandleAsync_Folder_ServesTheIndexPageWithTheSecurityHeaders()
    {
        var context = await GetAsync("/dashboard/");

        Assert.That(context.Response.StatusCode, Is.EqualTo(200));
        Assert.That(context.Response.ContentType, Is.EqualTo("text/html; charset=utf-8"));
        Assert.That(Encoding.UTF8.GetString(Body(context)), Does.Contain("<script type=\"module\" src=\"app.js\"></script>"));
        var headers = context.Response.Headers;
        Assert.That(headers.ContentSecurityPolicy.ToString(), Does.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.Contain("connect-src 'self'").And.Not.Contain("unsafe"));
        Assert.That(headers.XContentTypeOptions.ToString(), Is.EqualTo("nosniff"));
        Assert.That(headers.XFrameOptions.ToString(), Is.EqualTo("DENY"));
        Assert.That(headers["Referrer-Policy"].ToString(), Is.EqualTo("no-referrer"));
        Assert.That(headers.CacheControl.ToString(), Is.EqualTo("no-cache"));
    }

    [TestCase("br", "br")]
    [TestCase("gzip, deflate, br, zstd", "br")]
    [TestCase("gzip", "gzip")]
    [TestCase("br;q=0, gzip", "gzip")]
    [TestCase("identity", null)]
    [TestCase("", null)]
    public void ChooseEncoding_AcceptEncoding_PrefersBrotliThenGzip(string acceptEncoding, string? expected) =>
        Assert.That(DashboardSite.ChooseEncoding(acceptEncoding), Is.EqualTo(expected));

    [Test]
    public async Task HandleAsync_AcceptsBrotli_SendsTheFileCompressed()
    {
        var context = await GetAsync("/dashboard/pages.js", acceptEncoding: "gzip, br");

        Assert.That(context.Response.Headers.ContentEncoding.ToString(), Is.EqualTo("br"));
        Assert.That(context.Response.Headers.Vary.ToString(), Is.EqualTo("Accept-Encoding"));
        Assert.That(context.Response.ContentType, Is.EqualTo("text/javascript; charset=utf-8"));
        using var brotli = new BrotliStream(new MemoryStream(Body(context)), CompressionMode.Decompress);
        using var reader = new StreamReader(brotli);
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo(Asset("pages.js")));
        Assert.That(context.Response.ContentLength, Is.EqualTo(Body(context).Length).And.LessThan(Asset("pages.js").Length / 2));
    }

    [Test]
    public async Task HandleAsync_MatchingETag_Is304WithoutABody()
    {
        var first = await GetAsync("/dashboard/app.css");
        var etag = first.Response.Headers.ETag.ToString();

        var again = await GetAsync("/dashboard/app.css", ifNoneMatch: etag);

        Assert.That(etag, Does.Match("^\"[0-9a-f]{24}\"$"));
        Assert.That(again.Response.StatusCode, Is.EqualTo(304));
        Assert.That(Body(again), Is.Empty);
    }

    [Test]
    public async Task HandleAsync_PrefixWithoutSlash_RedirectsToTheFolder()
    {
        var context = await GetAsync("/dashboard");

        Assert.That(context.Response.StatusCode, Is.EqualTo(301));
        Assert.That(context.Response.Headers.Location.ToString(), Is.EqualTo("/dashboard/"));
    }

    [TestCase("/dashboard/missing.js")]
    [TestCase("/dashboard/../appsettings.json")]
    [TestCase("/dashboard/MiniKube.Addons.dll")]
    public async Task HandleAsync_NoSuchFile_Is404WithTheSecurityHeaders(string path)
    {
        var context = await GetAsync(path);

        Assert.That(context.Response.StatusCode, Is.EqualTo(404));
        Assert.That(context.Response.Headers.ContentSecurityPolicy.ToString(), Is.EqualTo(DashboardSite.ContentSecurityPolicy));
    }

    [Test]
    public async Task HandleAsync_Post_Is405()
    {
        var context = await GetAsync("/dashboard/", "POST");

        Assert.That(context.Response.StatusCode, Is.EqualTo(405));
        Assert.That(context.Response.Headers.Allow.ToString(), Is.EqualTo("GET, HEAD"));
    }

    [Test]
    public async Task HandleAsync_Head_SendsHeadersOnly()
    {
        var context = await GetAsync("/dashboard/app.js", "HEAD");

        Assert.That(context.Response.StatusCode, Is.EqualTo(200));
        Assert.That(context.Response.ContentLength, Is.EqualTo(Encoding.UTF8.GetByteCount(Asset("app.js"))));
        Assert.That(Body(context), Is.Empty);
    }

    [Test]
    public void EmbeddedAssets_EveryModuleImportedIsEmbedded()
    {
        var names = DashboardAssets.Embedded.Names.ToHashSet();
        var scripts = names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)).ToList();
        var referenced = scripts.SelectMany(s => ImportPattern().Matches(Asset(s)).Select(m => m.Groups[1].Value))
            .Concat(HtmlReferencePattern().Matches(Asset("index.html")).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.That(scripts, Does.Contain("app.js").And.Contain("api.js").And.Contain("pages.js"));
        Assert.That(referenced.Except(names), Is.Empty, "references to files that are not embedded");
        Assert.That(scripts.Except(referenced), Is.Empty, "embedded modules nothing loads");
    }

    [Test]
    public void EmbeddedAssets_NoInlineScriptOrMarkupFromStrings()
    {
        var html = Asset("index.html");
        var scripts = DashboardAssets.Embedded.Names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)).Select(Asset).ToList();

        // The policy would block inline script anyway; keeping none means nothing silently breaks.
        Assert.That(Regex.Matches(html, "<script(?![^>]*\\ssrc=)"), Is.Empty);
        Assert.That(Regex.Matches(html, "\\son[a-z]+=", RegexOptions.IgnoreCase), Is.Empty);
        // Cluster data enters the page as text only.
        Assert.That(scripts, Has.None.Contain("innerHTML").And.None.Contain("outerHTML").And.None.Contain("insertAdjacentHTML").And.None.Contain("eval("));
        // Tokens travel in the Authorization header, never in a URL.
        Assert.That(scripts, Has.None.Match("[?&](access_)?token="));
    }

    [GeneratedRegex("from '\\./([a-z]+\\.js)'")]
    private static partial Regex ImportPattern();

    [GeneratedRegex("(?:src|href)=\"([a-z]+\\.(?:js|css|svg))\"")]
    private static partial Regex HtmlReferencePattern();
}
