using System.IO.Compression;
using System.Text;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// Field and type descriptions of k8s.Models (what <c>kubectl explain</c> prints), read from an
/// optional embedded resource: the <c>&lt;summary&gt;</c> texts of the package's XML docs, one
/// <c>member-id TAB text</c> line each (T:k8s.Models.V1Pod, P:k8s.Models.V1Pod.Spec), gzipped by
/// the build step in ModelDescriptions.targets (about 220 KB). Without the resource every lookup
/// returns null and documents carry no descriptions.
/// </summary>
internal sealed class ModelDescriptions
{
    /// <summary>The manifest resource name the build step must give the file (its LogicalName).</summary>
    public const string ResourceName = "MiniKube.ApiServer.ModelDescriptions.gz";

    private readonly Dictionary<string, string> _texts;

    private ModelDescriptions(Dictionary<string, string> texts) => _texts = texts;

    public static ModelDescriptions Empty { get; } = new([]);

    public int Count => _texts.Count;

    /// <summary>The descriptions embedded in this assembly, or <see cref="Empty"/>.</summary>
    public static ModelDescriptions LoadEmbedded()
    {
        using var stream = typeof(ModelDescriptions).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? Empty : Read(stream);
    }

    /// <summary>Reads the gzipped line format.</summary>
    public static ModelDescriptions Read(Stream gzipped)
    {
        ArgumentNullException.ThrowIfNull(gzipped);
        using var text = new StreamReader(new GZipStream(gzipped, CompressionMode.Decompress), Encoding.UTF8);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        while (text.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0)
            {
                texts[line[..tab]] = line[(tab + 1)..];
            }
        }
        return new ModelDescriptions(texts);
    }

    public string? ForType(Type model) => _texts.GetValueOrDefault("T:" + model.FullName);

    public string? ForProperty(Type model, string clrName) => _texts.GetValueOrDefault("P:" + model.FullName + "." + clrName);
}
