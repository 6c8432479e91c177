using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace MiniKube.Addons.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly from <c>Dashboard/wwwroot</c> (the build needs
/// no toolchain beyond the SDK). Each file's Brotli and gzip forms are made once, on first
/// request, and kept: the whole site is a few dozen kilobytes. Names are relative to wwwroot with
/// '/' separators.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "MiniKube.Addons.Dashboard.wwwroot/";

    private readonly Dictionary<string, DashboardAsset> _assets;

    private DashboardAssets(Dictionary<string, DashboardAsset> assets) => _assets = assets;

    /// <summary>The files embedded in this assembly.</summary>
    public static DashboardAssets Embedded { get; } = Load(typeof(DashboardAssets).Assembly);

    public IEnumerable<string> Names => _assets.Keys;

    public DashboardAsset? Find(string name) => _assets.GetValueOrDefault(name);

    private static DashboardAssets Load(Assembly assembly)
    {
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[ResourcePrefix.Length..];
            assets[name] = new DashboardAsset(name, ContentType(name), copy.ToArray());
        }
        return new DashboardAssets(assets);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" or ".webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    };
}

/// <summary>One embedded file: its bytes, their strong ETag, and their compressed forms (made once).</summary>
internal sealed class DashboardAsset(string name, string contentType, byte[] content)
{
    private readonly Lazy<byte[]> _brotli = new(() => Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize, leaveOpen: true)));
    private readonly Lazy<byte[]> _gzip = new(() => Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true)));

    public string Name { get; } = name;

    public string ContentType { get; } = contentType;

    public byte[] Content { get; } = content;

    /// <summary>A strong validator of the content (the same for every encoding; Vary says the rest).</summary>
    public string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";

    public byte[] Brotli => _brotli.Value;

    public byte[] Gzip => _gzip.Value;

    private static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(content);
        }
        return output.ToArray();
    }
}
