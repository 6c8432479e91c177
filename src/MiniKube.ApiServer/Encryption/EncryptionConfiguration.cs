using System.Security.Cryptography;
using System.Text;

namespace MiniKube.ApiServer.Encryption;

/// <summary>One named key; <see cref="Secret"/> is its bytes in base64, as the file holds them. Never logged.</summary>
public sealed record EncryptionKey(string Name, string Secret)
{
    /// <summary>Hides the secret from string formatting, so a key can never reach a log through ToString.</summary>
    public override string ToString() => $"EncryptionKey {{ Name = {Name} }}";
}

/// <summary>One provider of the list: its type and, unless identity, its keys in order.</summary>
public sealed record EncryptionProvider(string Type, IReadOnlyList<EncryptionKey> Keys);

/// <summary>
/// The Secrets part of an apiserver.config.k8s.io/v1 EncryptionConfiguration (upstream's
/// apiserver/pkg/apis/config/v1 types, the file kube-apiserver's --encryption-provider-config
/// reads and k3s writes to <c>server/cred/encryption-config.json</c>): the providers in order;
/// the first writes, every one reads. Immutable; changes make a new instance.
/// </summary>
public sealed class EncryptionConfiguration
{
    private const string ApiVersion = "apiserver.config.k8s.io/v1";
    private const string Kind = "EncryptionConfiguration";

    public EncryptionConfiguration(IReadOnlyList<EncryptionProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        Providers = providers;
    }

    /// <summary>The providers for Secrets, in order.</summary>
    public IReadOnlyList<EncryptionProvider> Providers { get; }

    /// <summary>Whether new writes are encrypted: the first provider is not identity.</summary>
    public bool Encrypts => Providers.Count > 0 && Providers[0].Type != EncryptionProviders.Identity;

    /// <summary>Every key with its provider type, in reading order; the first is the active one when <see cref="Encrypts"/>.</summary>
    public IEnumerable<(string Type, EncryptionKey Key)> Keys =>
        Providers.SelectMany(p => p.Keys.Select(k => (p.Type, k)));

    /// <summary>A new configuration with one fresh key of <paramref name="provider"/> first and identity after it, as k3s writes it.</summary>
    public static EncryptionConfiguration Create(string provider, string keyName) =>
        new([new EncryptionProvider(provider, [NewKey(keyName)]), new EncryptionProvider(EncryptionProviders.Identity, [])]);

    /// <summary>A random 32-byte key (AES-256, or secretbox's size), base64 as the file holds it.</summary>
    public static EncryptionKey NewKey(string name) => new(name, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    /// <summary>This configuration with <paramref name="key"/> first in the first encrypting provider: it becomes the active key, the others still read.</summary>
    public EncryptionConfiguration WithActiveKey(EncryptionKey key)
    {
        var first = Providers.First(p => p.Type != EncryptionProviders.Identity);
        var providers = Providers.Where(p => p != first && p.Type != EncryptionProviders.Identity).ToList();
        providers.Insert(0, first with { Keys = [key, .. first.Keys] });
        providers.Add(new EncryptionProvider(EncryptionProviders.Identity, []));
        return new EncryptionConfiguration(providers);
    }

    /// <summary>Only the active key, then identity (so values written before encryption was on still read): what is left after a full reencrypt.</summary>
    public EncryptionConfiguration WithActiveKeyOnly()
    {
        var first = Providers.First(p => p.Type != EncryptionProviders.Identity);
        return new EncryptionConfiguration([first with { Keys = [first.Keys[0]] }, new EncryptionProvider(EncryptionProviders.Identity, [])]);
    }

    /// <summary>
    /// The same keys with identity moved first (<paramref name="encrypt"/> false: writes plain,
    /// reads everything) or last (true), as k3s' enable and disable rewrite the file.
    /// </summary>
    public EncryptionConfiguration WithEncryption(bool encrypt)
    {
        var keyed = Providers.Where(p => p.Type != EncryptionProviders.Identity).ToList();
        var identity = new EncryptionProvider(EncryptionProviders.Identity, []);
        return new EncryptionConfiguration(encrypt ? [.. keyed, identity] : [identity, .. keyed]);
    }

    /// <summary>
    /// Reads a configuration: JSON (what k3s writes; YAML files are not read). Only the entry
    /// whose resources name <c>secrets</c> counts. Throws <see cref="InvalidDataException"/>
    /// naming the field at fault, never a key's value.
    /// </summary>
    public static EncryptionConfiguration Parse(ReadOnlySpan<byte> json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a JSON EncryptionConfiguration: {e.Message}");
        }
        if (root is not JsonObject document || document["kind"]?.GetValueKind() != JsonValueKind.String || (string?)document["kind"] != Kind
            || document["apiVersion"]?.GetValueKind() != JsonValueKind.String || (string?)document["apiVersion"] != ApiVersion)
        {
            throw new InvalidDataException($"not an EncryptionConfiguration: kind must be {Kind} and apiVersion {ApiVersion}");
        }
        var entry = (document["resources"] as JsonArray ?? throw new InvalidDataException("resources: Required value"))
            .OfType<JsonObject>()
            .FirstOrDefault(r => r["resources"] is JsonArray names && names.Any(n => n?.GetValueKind() == JsonValueKind.String && (string?)n is "secrets" or "*." or "*.*"))
            ?? throw new InvalidDataException("resources: no entry for secrets");
        var providers = new List<EncryptionProvider>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = entry["providers"] as JsonArray ?? throw new InvalidDataException("resources[].providers: Required value");
        for (var i = 0; i < list.Count; i++)
        {
            providers.Add(ParseProvider(list[i] as JsonObject ?? throw new InvalidDataException($"providers[{i}]: must be an object"), $"providers[{i}]", names));
        }
        if (providers.Count == 0)
        {
            throw new InvalidDataException("providers: Required value");
        }
        return new EncryptionConfiguration(providers);
    }

    private static EncryptionProvider ParseProvider(JsonObject node, string path, HashSet<string> names)
    {
        if (node.Count != 1)
        {
            throw new InvalidDataException($"{path}: exactly one provider type per entry");
        }
        var (type, body) = node.First();
        switch (type)
        {
            case EncryptionProviders.Identity:
                return new EncryptionProvider(type, []);
            case EncryptionProviders.AesCbc or EncryptionProviders.Secretbox:
                var keys = (body as JsonObject)?["keys"] as JsonArray;
                if (keys is null || keys.Count == 0)
                {
                    throw new InvalidDataException($"{path}.{type}.keys: Required value");
                }
                var result = new List<EncryptionKey>();
                for (var i = 0; i < keys.Count; i++)
                {
                    var keyPath = $"{path}.{type}.keys[{i}]";
                    var name = keys[i]?["name"] is JsonValue n && n.TryGetValue<string>(out var s) && s.Length > 0 ? s : throw new InvalidDataException($"{keyPath}.name: Required value");
                    var secret = keys[i]?["secret"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : throw new InvalidDataException($"{keyPath}.secret: Required value");
                    if (!names.Add(type + "/" + name))
                    {
                        throw new InvalidDataException($"{keyPath}.name: Duplicate value: \"{name}\"");
                    }
                    var bytes = KeyBytes(secret, keyPath);
                    var lengthOk = type == EncryptionProviders.Secretbox ? bytes.Length == SecretboxCipher.KeySize : bytes.Length is 16 or 24 or 32;
                    CryptographicOperations.ZeroMemory(bytes);
                    if (!lengthOk)
                    {
                        // Upstream's words (apiserver/pkg/apis/config/validation).
                        throw new InvalidDataException(type == EncryptionProviders.Secretbox
                            ? $"{keyPath}.secret: Invalid value: \"REDACTED\": secret is not of the expected length, got {bytes.Length}, expected one of [32]"
                            : $"{keyPath}.secret: Invalid value: \"REDACTED\": secret is not of the expected length, got {bytes.Length}, expected one of [16 24 32]");
                    }
                    result.Add(new EncryptionKey(name, secret));
                }
                return new EncryptionProvider(type, result);
            default:
                throw new InvalidDataException($"{path}: provider type \"{type}\" is not supported (aescbc, secretbox and identity are)");
        }
    }

    /// <summary>A key's bytes; the caller zeroes them when done.</summary>
    internal static byte[] KeyBytes(string secret, string path)
    {
        try
        {
            return Convert.FromBase64String(secret);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}.secret: Invalid value: \"REDACTED\": secrets must be base64 encoded");
        }
    }

    /// <summary>The file's bytes: compact JSON in upstream's field order, as k3s' json.Marshal writes it.</summary>
    public byte[] ToJson()
    {
        var providers = new JsonArray();
        foreach (var provider in Providers)
        {
            var body = new JsonObject();
            if (provider.Type != EncryptionProviders.Identity)
            {
                body["keys"] = new JsonArray(provider.Keys.Select(k => (JsonNode)new JsonObject { ["name"] = k.Name, ["secret"] = k.Secret }).ToArray());
            }
            providers.Add(new JsonObject { [provider.Type] = body });
        }
        var document = new JsonObject
        {
            ["kind"] = Kind,
            ["apiVersion"] = ApiVersion,
            ["resources"] = new JsonArray(new JsonObject { ["resources"] = new JsonArray("secrets"), ["providers"] = providers }),
        };
        return Encoding.UTF8.GetBytes(document.ToJsonString());
    }
}

/// <summary>The provider types a configuration may name for Secrets; others (aesgcm, kms) are refused.</summary>
public static class EncryptionProviders
{
    public const string AesCbc = "aescbc";
    public const string Secretbox = "secretbox";
    public const string Identity = "identity";

    /// <summary>The providers <c>--secrets-encryption-provider</c> accepts, as k3s.</summary>
    public static readonly IReadOnlyList<string> Encrypting = [AesCbc, Secretbox];

    /// <summary>The key type as <c>secrets-encrypt status</c> prints it (k3s' words).</summary>
    public static string KeyType(string provider) => provider == Secretbox ? "XSalsa20-POLY1305" : "AES-CBC";
}
