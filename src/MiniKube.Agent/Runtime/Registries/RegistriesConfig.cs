using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MiniKube.Agent.Runtime.Registries;

/// <summary>
/// <c>DATA_DIR/agent/registries.yaml</c> in k3s' format (k3s docs installation/private-registry,
/// rancher/wharfie's Registry type): <c>mirrors</c> — per registry name, or <c>"*"</c> for every
/// registry without an entry of its own, a list of <c>endpoint</c> URLs and <c>rewrite</c> rules
/// (regular expression → replacement, applied to the repository path, not the tag) — and
/// <c>configs</c> — per registry host, or <c>"*"</c>, <c>auth</c> (username, password, auth,
/// identity_token) and <c>tls</c> (ca_file, cert_file, key_file, insecure_skip_verify).
/// Immutable once parsed; unknown keys are ignored as k3s' YAML decoding ignores them.
/// </summary>
internal sealed class RegistriesConfig
{
    public const string Wildcard = "*";

    public static readonly RegistriesConfig Empty = new(new Dictionary<string, RegistryMirror>(), new Dictionary<string, RegistryHostConfig>());

    // Docker Hub answers under these names too; a mirror endpoint or config naming one is Hub's own.
    private static readonly string[] HubHosts = [ImageReference.DefaultRegistry, "index.docker.io", "registry-1.docker.io"];

    private RegistriesConfig(IReadOnlyDictionary<string, RegistryMirror> mirrors, IReadOnlyDictionary<string, RegistryHostConfig> configs)
    {
        Mirrors = mirrors;
        Configs = configs;
    }

    /// <summary>Mirrors by registry name (<see cref="Wildcard"/> for the rest), in file order.</summary>
    public IReadOnlyDictionary<string, RegistryMirror> Mirrors { get; }

    /// <summary>Credentials and TLS by registry host[:port] (<see cref="Wildcard"/> for the rest).</summary>
    public IReadOnlyDictionary<string, RegistryHostConfig> Configs { get; }

    /// <summary>Reads the file's text; <see cref="FormatException"/> says what is wrong and where.</summary>
    public static RegistriesConfig Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return Empty;
        }
        var root = Mapping(stream.Documents[0].RootNode, "the file");
        var mirrors = new Dictionary<string, RegistryMirror>(StringComparer.Ordinal);
        foreach (var (name, node) in Entries(root, "mirrors"))
        {
            mirrors[name] = ParseMirror(name, node);
        }
        var configs = new Dictionary<string, RegistryHostConfig>(StringComparer.Ordinal);
        foreach (var (name, node) in Entries(root, "configs"))
        {
            configs[HostOf(name)] = ParseConfig(name, node);
        }
        return new RegistriesConfig(mirrors, configs);
    }

    /// <summary>
    /// Where to pull <paramref name="image"/> from, in order, as containerd tries a registry's
    /// hosts: each endpoint of its mirror (with the first rewrite that changes the path), then
    /// the registry itself — the default endpoint, never rewritten. An endpoint that is the
    /// default is left to the end, as k3s does; one Docker cannot use is skipped (see
    /// <see cref="Problems"/>). A digest reference is pulled from the registry itself: Docker
    /// could not store a mirror's copy under the digest name the pod asks for.
    /// </summary>
    public IReadOnlyList<PullSource> SourcesFor(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var registry = image.Registry;
        var sources = new List<PullSource>();
        if (image.Digest is null && MirrorOf(registry) is { } mirror)
        {
            foreach (var endpoint in mirror.Endpoints.Where(e => e.Problem is null && !SameRegistry(e.Host, registry)))
            {
                sources.Add(new PullSource(image.On(endpoint.Host + "/" + mirror.Rewrite(image.Path)), endpoint.Host, Mirror: true));
            }
        }
        sources.Add(new PullSource(image, registry, Mirror: false));
        return sources;
    }

    /// <summary>The <c>auth</c> of <paramref name="host"/>'s config, else of <see cref="Wildcard"/>'s when the host has no config at all.</summary>
    public RegistryCredential? CredentialFor(string host) => ConfigOf(host)?.Auth;

    /// <summary>What Docker cannot honour in this file, one sentence each, for the log.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (name, mirror) in Mirrors)
        {
            foreach (var endpoint in mirror.Endpoints)
            {
                if (endpoint.Problem is { } problem)
                {
                    yield return $"mirror endpoint {endpoint.Url} of {name} is skipped: {problem}";
                }
                else if (endpoint.PlainHttp && !IsLoopback(endpoint.Host))
                {
                    yield return $"mirror endpoint {endpoint.Url} of {name} is plain HTTP: Docker uses it only if dockerd lists {endpoint.Host} in insecure-registries (daemon.json), which mkube cannot set";
                }
            }
        }
        foreach (var (host, config) in Configs)
        {
            if (config.Tls is not { } tls)
            {
                continue;
            }
            if (host == Wildcard && (tls.CaFile ?? tls.CertFile ?? tls.KeyFile) is not null)
            {
                yield return "the tls files of configs \"*\" are not used: Docker reads certificates per host (/etc/docker/certs.d/<host>), so give each registry host its own entry";
            }
            if (tls.InsecureSkipVerify)
            {
                yield return $"insecure_skip_verify of {host} is not honoured: Docker skips verification only for registries dockerd lists in insecure-registries (daemon.json; loopback addresses are by default), which mkube cannot set";
            }
            if ((tls.CertFile is null) != (tls.KeyFile is null))
            {
                yield return $"the client certificate of {host} is not used: tls needs both cert_file and key_file";
            }
        }
    }

    /// <summary>The config of <paramref name="host"/> (Docker Hub's under any of its names), else <see cref="Wildcard"/>'s.</summary>
    private RegistryHostConfig? ConfigOf(string host)
    {
        var names = HubHosts.Contains(host) ? HubHosts : [host];
        foreach (var name in names)
        {
            if (Configs.TryGetValue(name, out var config))
            {
                return config;
            }
        }
        return Configs.GetValueOrDefault(Wildcard);
    }

    private RegistryMirror? MirrorOf(string registry) =>
        Mirrors.TryGetValue(registry, out var mirror) || (registry == ImageReference.DefaultRegistry && Mirrors.TryGetValue("index.docker.io", out mirror))
            ? mirror
            : Mirrors.GetValueOrDefault(Wildcard);

    private static bool SameRegistry(string host, string registry) =>
        host == registry || (registry == ImageReference.DefaultRegistry && HubHosts.Contains(host));

    private static bool IsLoopback(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return name == "localhost" || (System.Net.IPAddress.TryParse(name, out var address) && System.Net.IPAddress.IsLoopback(address));
    }

    private static RegistryMirror ParseMirror(string name, YamlNode node)
    {
        var mapping = OptionalMapping(node, $"mirrors.{name}");
        var endpoints = new List<MirrorEndpoint>();
        if (mapping is not null && mapping.Children.TryGetValue(new YamlScalarNode("endpoint"), out var list))
        {
            if (list is not YamlSequenceNode sequence)
            {
                throw new FormatException($"mirrors.{name}.endpoint must be a list of URLs");
            }
            endpoints.AddRange(sequence.Children.Select(item => MirrorEndpoint.Parse(Scalar(item, $"mirrors.{name}.endpoint") ?? "")));
        }
        var rewrites = new List<(Regex, string)>();
        if (mapping is not null)
        {
            foreach (var (pattern, replacement) in Entries(mapping, "rewrite"))
            {
                try
                {
                    rewrites.Add((new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), Scalar(replacement, $"mirrors.{name}.rewrite") ?? ""));
                }
                catch (ArgumentException e)
                {
                    throw new FormatException($"mirrors.{name}.rewrite \"{pattern}\" is not a regular expression: {e.Message}", e);
                }
            }
        }
        return new RegistryMirror(endpoints, rewrites);
    }

    private static RegistryHostConfig ParseConfig(string name, YamlNode node)
    {
        var mapping = OptionalMapping(node, $"configs.{name}");
        var auth = mapping is null ? null : OptionalMapping(Child(mapping, "auth"), $"configs.{name}.auth");
        var tls = mapping is null ? null : OptionalMapping(Child(mapping, "tls"), $"configs.{name}.tls");
        string? Text(YamlMappingNode? parent, string key) =>
            parent is null ? null : Scalar(Child(parent, key), $"configs.{name}.{key}") is { Length: > 0 } value ? value : null;
        return new RegistryHostConfig(
            // wharfie's YAML key is identity_token; containerd's TOML one identitytoken.
            auth is null ? null : new RegistryCredential(Text(auth, "username"), Text(auth, "password"), Text(auth, "auth"), Text(auth, "identity_token") ?? Text(auth, "identitytoken")),
            tls is null ? null : new RegistryTls(Text(tls, "ca_file"), Text(tls, "cert_file"), Text(tls, "key_file"),
                Text(tls, "insecure_skip_verify") is { } skip && ParseBool(skip, $"configs.{name}.tls.insecure_skip_verify")));
    }

    private static bool ParseBool(string text, string where) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => throw new FormatException($"{where} must be true or false, not \"{text}\""),
    };

    /// <summary>A config key as a host: k3s keys are host[:port], but a URL is taken for its host.</summary>
    private static string HostOf(string key) =>
        Uri.TryCreate(key, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Authority : key.TrimEnd('/');

    private static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode parent, string key) =>
        OptionalMapping(Child(parent, key), key) is { } mapping
            ? mapping.Children.Select(kv => (Scalar(kv.Key, key) ?? "", kv.Value))
            : [];

    private static YamlNode? Child(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static YamlMappingNode Mapping(YamlNode node, string where) =>
        node as YamlMappingNode ?? throw new FormatException($"{where} must be a mapping (line {node.Start.Line})");

    /// <summary>A mapping, or null for an absent or empty value (<c>"docker.io":</c> with nothing under it).</summary>
    private static YamlMappingNode? OptionalMapping(YamlNode? node, string where) =>
        node is null or YamlScalarNode { Value: null or "" or "~" or "null" } ? null : Mapping(node, where);

    private static string? Scalar(YamlNode? node, string where) => node switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new FormatException($"{where} must be a single value (line {node.Start.Line})"),
    };
}

/// <summary>One place an image can be pulled from: <see cref="Reference"/> is the name to pull on <see cref="Host"/>.</summary>
internal sealed record PullSource(ImageReference Reference, string Host, bool Mirror);

/// <summary>A registry's mirror endpoints and rewrite rules, in file order.</summary>
internal sealed record RegistryMirror(IReadOnlyList<MirrorEndpoint> Endpoints, IReadOnlyList<(Regex Pattern, string Replacement)> Rewrites)
{
    /// <summary>The repository path after the first rule that changes it (k3s' containerd applies one).</summary>
    public string Rewrite(string path)
    {
        foreach (var (pattern, replacement) in Rewrites)
        {
            var rewritten = pattern.Replace(path, replacement);
            if (rewritten != path)
            {
                return rewritten;
            }
        }
        return path;
    }
}

/// <summary>
/// A mirror endpoint URL (no scheme means https, as k3s). Docker pulls from a registry's root, so
/// only an empty path or the API root <c>/v2</c> can be used; <see cref="Problem"/> says why not otherwise.
/// </summary>
internal sealed record MirrorEndpoint(string Url, string Host, bool PlainHttp, string? Problem)
{
    public static MirrorEndpoint Parse(string url)
    {
        var withScheme = url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return new MirrorEndpoint(url, "", false, "it is not an http(s) URL with a host");
        }
        var path = uri.AbsolutePath.TrimEnd('/');
        var problem = path is "" or "/v2" ? null : $"Docker cannot pull from a path ({uri.AbsolutePath}) below a registry's root";
        // The authority as written: "host:443" is another registry name than "host" to Docker, and to k3s another endpoint than the default.
        var authority = withScheme[(withScheme.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/', '?', '#')[0];
        return new MirrorEndpoint(url, authority, uri.Scheme == "http", problem);
    }
}

/// <summary>One <c>configs</c> entry: the credentials and TLS files for a registry host.</summary>
internal sealed record RegistryHostConfig(RegistryCredential? Auth, RegistryTls? Tls);

/// <summary>The <c>tls</c> of a config entry: file paths on this machine.</summary>
internal sealed record RegistryTls(string? CaFile, string? CertFile, string? KeyFile, bool InsecureSkipVerify);
