using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet.Images;

/// <summary>
/// Image pull secrets' credentials, matched to an image as upstream's kubelet matches them
/// (pkg/credentialprovider/keyring.go BasicDockerKeyring, secrets/secrets.go MakeDockerKeyring).
/// An entry's key is its registry URL less the scheme and a <c>/v1/</c> or <c>/v2/</c>: host, host:port, or host/path-prefix.
/// Keys are tried longest first; each one that matches adds its credentials, in secret order, and the kubelet tries them in turn.
/// A key matches when the ports are equal, the hosts have as many dot-separated parts, each a glob (<c>*.example.com</c>)
/// of the image's, and the key's path is a prefix of the image's. Failing all that, a Docker Hub image gets the
/// <c>index.docker.io</c> entry.
/// </summary>
internal sealed class DockerKeyring
{
    private const string DefaultRegistryHost = "index.docker.io";

    private readonly Dictionary<string, List<RegistryCredential>> _credentials = new(StringComparer.Ordinal);
    private readonly List<string> _index = [];

    /// <summary>
    /// The credentials of every dockerconfigjson and dockercfg secret among <paramref name="secrets"/>
    /// (other types are ignored, as upstream); <see cref="FormatException"/> when one does not decode.
    /// </summary>
    public static DockerKeyring FromSecrets(IEnumerable<V1Secret> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var keyring = new DockerKeyring();
        foreach (var secret in secrets)
        {
            // The data key of each type, and whether the registries sit under "auths"; other types hold no credentials.
            var (key, nested) = secret.Type switch
            {
                "kubernetes.io/dockerconfigjson" => (".dockerconfigjson", true),
                "kubernetes.io/dockercfg" => (".dockercfg", false),
                _ => ("", false),
            };
            if (key.Length > 0 && secret.Data?.TryGetValue(key, out var bytes) == true && bytes.Length > 0)
            {
                keyring.Add(Entries(bytes, nested, $"{key} of secret {secret.Metadata?.Name}"));
            }
        }
        keyring._index.Sort(StringComparer.Ordinal);
        keyring._index.Reverse();
        return keyring;
    }

    /// <summary>The credentials for <paramref name="image"/>, a repository without tag in its full form (<c>docker.io/library/busybox</c>, <c>registry:5000/team/app</c>).</summary>
    public IReadOnlyList<RegistryCredential> Lookup(string image)
    {
        var found = _index.Where(key => UrlsMatch(key, image)).SelectMany(key => _credentials[key]).ToList();
        if (found.Count == 0 && IsDefaultRegistryMatch(image) && _credentials.TryGetValue(DefaultRegistryHost, out var hub))
        {
            found.AddRange(hub);
        }
        return found;
    }

    /// <summary>keyring.go URLsMatchStr: whether the credential key <paramref name="glob"/> covers <paramref name="target"/>.</summary>
    internal static bool UrlsMatch(string glob, string target)
    {
        var (globHost, globPath) = SplitSchemeless(glob);
        var (targetHost, targetPath) = SplitSchemeless(target);
        var (globParts, globPort) = SplitHost(globHost);
        var (targetParts, targetPort) = SplitHost(targetHost);
        return globPort == targetPort
            && globParts.Length == targetParts.Length
            && targetPath.StartsWith(globPath, StringComparison.Ordinal)
            && globParts.Zip(targetParts).All(pair => GlobMatches(pair.First, pair.Second));
    }

    private void Add(IEnumerable<(string Registry, RegistryCredential Credential)> entries)
    {
        foreach (var (registry, credential) in entries)
        {
            var key = KeyOf(registry);
            if (!_credentials.TryGetValue(key, out var list))
            {
                _credentials[key] = list = [];
                _index.Add(key);
            }
            list.Add(credential);
        }
    }

    /// <summary>The docker client's matching key: scheme dropped, <c>/v1/</c> and <c>/v2/</c> meaning the host alone.</summary>
    private static string KeyOf(string registry)
    {
        var (host, path) = SplitSchemeless(registry.StartsWith("https://", StringComparison.Ordinal) ? registry[8..]
            : registry.StartsWith("http://", StringComparison.Ordinal) ? registry[7..] : registry);
        if (path.StartsWith("/v2/", StringComparison.Ordinal) || path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            path = path[3..];
        }
        return path.Length > 0 && path != "/" ? host + path : host;
    }

    /// <summary>The entries of a .dockerconfigjson (<c>{"auths": {…}}</c>) or .dockercfg (the map itself).</summary>
    private static List<(string, RegistryCredential)> Entries(byte[] json, bool nested, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var auths = nested ? (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("auths", out var a) ? a : default) : root;
            if (auths.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                return [];
            }
            if (auths.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{what}: the registries must be a JSON object");
            }
            return [.. auths.EnumerateObject().Select(entry => (entry.Name, Credential(entry.Value, what)))];
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>config.go DockerConfigEntry: username and password, which a non-empty <c>auth</c> (base64 user:password) overrides.</summary>
    private static RegistryCredential Credential(JsonElement entry, string what)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{what}: each registry's entry must be a JSON object");
        }
        string? Text(string name) => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var (username, password) = (Text("username"), Text("password"));
        if (Text("auth") is { Length: > 0 } auth)
        {
            string[] parts;
            try
            {
                parts = Encoding.UTF8.GetString(Convert.FromBase64String(auth)).Split(':', 2);
            }
            catch (FormatException)
            {
                parts = [];
            }
            if (parts.Length != 2)
            {
                throw new FormatException("unable to parse auth field, must be formatted as base64(username:password)");
            }
            (username, password) = (parts[0], parts[1]);
        }
        return new RegistryCredential(username, password);
    }

    /// <summary>keyring.go isDefaultRegistryMatch: whether the image comes from Docker Hub by the look of its name.</summary>
    private static bool IsDefaultRegistryMatch(string image)
    {
        var parts = image.Split('/', 2);
        return parts[0].Length > 0
            && (parts.Length == 1 || parts[0] is "docker.io" or "index.docker.io" || parts[0].IndexOfAny(['.', ':']) < 0);
    }

    /// <summary>Go's url.Parse of "https://" + the text: the host, and the path from its first slash.</summary>
    private static (string Host, string Path) SplitSchemeless(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (text, "") : (text[..slash], text[slash..]);
    }

    /// <summary>keyring.go splitURL: the host's dot-separated parts and the port (empty without one).</summary>
    private static (string[] Parts, string Port) SplitHost(string host)
    {
        if (host.StartsWith('[') && host.IndexOf("]:", StringComparison.Ordinal) is var close and > 0)
        {
            return ([host[1..close]], host[(close + 2)..]);
        }
        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':', StringComparison.Ordinal) == colon
            ? (host[..colon].Split('.'), host[(colon + 1)..])
            : (host.Split('.'), "");
    }

    /// <summary>Go's filepath.Match for one host part: <c>*</c>, <c>?</c>, <c>[…]</c> classes and <c>\</c> escapes; a malformed pattern matches nothing.</summary>
    private static bool GlobMatches(string pattern, string text)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        return false;
                    }
                    var body = pattern[(i + 1)..close];
                    regex.Append('[').Append(body.StartsWith('^') ? "^" + Regex.Escape(body[1..]) : Regex.Escape(body)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return Regex.IsMatch(text, regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
