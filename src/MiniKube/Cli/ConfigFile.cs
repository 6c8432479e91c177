using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MiniKube.Cli;

/// <summary>
/// The YAML config file (<c>/etc/mkube/config.yaml</c>), k3s style: a mapping whose keys are
/// flag names without the dashes and whose values are scalars or lists of scalars.
/// <code>
/// data-dir: /srv/mkube
/// disable-agent: true
/// </code>
/// </summary>
internal sealed class ConfigFile
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values;

    private ConfigFile(string path, Dictionary<string, IReadOnlyList<string>> values)
    {
        Path = path;
        _values = values;
    }

    public string Path { get; }

    public IEnumerable<string> Keys => _values.Keys;

    public static ConfigFile Empty(string path) => new(path, []);

    public bool TryGetValues(string key, out IReadOnlyList<string> values) => _values.TryGetValue(key, out values!);

    /// <summary>Reads and checks the file's shape; a bad file is a <see cref="UsageException"/>.</summary>
    public static ConfigFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"config file {path}: {e.Message}");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new UsageException($"config file {path}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new ConfigFile(path, values);
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
        {
            throw new UsageException($"config file {path}: expected a mapping of flag names to values");
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value
                ?? throw new UsageException($"config file {path}: line {keyNode.Start.Line}: keys must be flag names");
            values[key] = valueNode switch
            {
                YamlScalarNode scalar => [scalar.Value ?? ""],
                YamlSequenceNode sequence => sequence.Children.Select(item => (item as YamlScalarNode)?.Value
                    ?? throw new UsageException($"config file {path}: \"{key}\" may only list plain values")).ToList(),
                _ => throw new UsageException($"config file {path}: \"{key}\" must be a value or a list of values"),
            };
        }
        return new ConfigFile(path, values);
    }
}
