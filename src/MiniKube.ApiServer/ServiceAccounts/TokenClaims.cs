using System.Buffers;

namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>A name and uid a token is bound to (upstream's ref in pkg/serviceaccount/claims.go).</summary>
public sealed record ObjectRef(string Name, string Uid);

/// <summary>
/// The claims of a service-account token as pkg/serviceaccount/claims.go writes them: the
/// registered ones (iss, sub, aud, exp, iat, nbf, jti) and the private <c>kubernetes.io</c>
/// claim naming the namespace, the service account and at most one bound pod or secret, plus the
/// node a pod-bound token's pod runs on (1.30+), or the node itself for a node-bound token.
/// Legacy secret-based tokens carry flat <c>kubernetes.io/serviceaccount/*</c> claims instead;
/// <see cref="Read"/> maps those onto the same record (<see cref="IsLegacy"/>).
/// Times are Unix seconds.
/// </summary>
public sealed record TokenClaims
{
    /// <summary>The issuer of legacy secret-based tokens (upstream's LegacyIssuer).</summary>
    public const string LegacyIssuer = "kubernetes/serviceaccount";

    public required string Issuer { get; init; }

    public required string Namespace { get; init; }

    public required ObjectRef ServiceAccount { get; init; }

    public IReadOnlyList<string> Audiences { get; init; } = [];

    public long? Expiry { get; init; }

    public long? IssuedAt { get; init; }

    public long? NotBefore { get; init; }

    /// <summary>The token's id (jti), what audit logs and the credential-id extra name it by.</summary>
    public string Id { get; init; } = "";

    public ObjectRef? Pod { get; init; }

    public ObjectRef? Secret { get; init; }

    public ObjectRef? Node { get; init; }

    /// <summary>When an extended kubelet token passes its requested lifetime (upstream's warnafter).</summary>
    public long? WarnAfter { get; init; }

    /// <summary>Whether the token is a legacy secret-based one (no expiry, bound to its Secret).</summary>
    public bool IsLegacy { get; init; }

    /// <summary>The subject: <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>.</summary>
    public string Subject => ServiceAccountUser.Name(Namespace, ServiceAccount.Name);

    /// <summary>The claims as the token's UTF-8 JSON payload.</summary>
    public byte[] Write()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (IsLegacy)
            {
                WriteLegacy(writer);
            }
            else
            {
                WriteBound(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteBound(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("aud");
        foreach (var audience in Audiences)
        {
            writer.WriteStringValue(audience);
        }
        writer.WriteEndArray();
        WriteTime(writer, "exp", Expiry);
        WriteTime(writer, "iat", IssuedAt);
        writer.WriteString("iss", Issuer);
        if (Id.Length > 0)
        {
            writer.WriteString("jti", Id);
        }
        writer.WriteStartObject("kubernetes.io");
        writer.WriteString("namespace", Namespace);
        WriteRef(writer, "node", Node);
        WriteRef(writer, "pod", Pod);
        WriteRef(writer, "secret", Secret);
        WriteRef(writer, "serviceaccount", ServiceAccount);
        WriteTime(writer, "warnafter", WarnAfter);
        writer.WriteEndObject();
        WriteTime(writer, "nbf", NotBefore);
        writer.WriteString("sub", Subject);
    }

    private void WriteLegacy(Utf8JsonWriter writer)
    {
        writer.WriteString("iss", Issuer);
        writer.WriteString("kubernetes.io/serviceaccount/namespace", Namespace);
        writer.WriteString("kubernetes.io/serviceaccount/secret.name", Secret?.Name ?? "");
        writer.WriteString("kubernetes.io/serviceaccount/service-account.name", ServiceAccount.Name);
        writer.WriteString("kubernetes.io/serviceaccount/service-account.uid", ServiceAccount.Uid);
        writer.WriteString("sub", Subject);
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, long? seconds)
    {
        if (seconds is { } value)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteRef(Utf8JsonWriter writer, string name, ObjectRef? reference)
    {
        if (reference is null)
        {
            return;
        }
        writer.WriteStartObject(name);
        writer.WriteString("name", reference.Name);
        writer.WriteString("uid", reference.Uid);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The claims of a verified payload, or null when it is not a service-account token's (no
    /// <c>kubernetes.io</c> claim and no legacy claims, or claims of the wrong JSON type).
    /// </summary>
    public static TokenClaims? Read(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var issuer = String(root, "iss") ?? "";
            if (root.TryGetProperty("kubernetes.io", out var k8s) && k8s.ValueKind == JsonValueKind.Object)
            {
                return new TokenClaims
                {
                    Issuer = issuer,
                    Namespace = String(k8s, "namespace") ?? "",
                    ServiceAccount = Ref(k8s, "serviceaccount") ?? new ObjectRef("", ""),
                    Pod = Ref(k8s, "pod"),
                    Secret = Ref(k8s, "secret"),
                    Node = Ref(k8s, "node"),
                    WarnAfter = Time(k8s, "warnafter"),
                    Audiences = Audience(root),
                    Expiry = Time(root, "exp"),
                    IssuedAt = Time(root, "iat"),
                    NotBefore = Time(root, "nbf"),
                    Id = String(root, "jti") ?? "",
                };
            }
            if (String(root, "kubernetes.io/serviceaccount/service-account.name") is { } legacyName)
            {
                return new TokenClaims
                {
                    Issuer = issuer,
                    IsLegacy = true,
                    Namespace = String(root, "kubernetes.io/serviceaccount/namespace") ?? "",
                    ServiceAccount = new ObjectRef(legacyName, String(root, "kubernetes.io/serviceaccount/service-account.uid") ?? ""),
                    Secret = new ObjectRef(String(root, "kubernetes.io/serviceaccount/secret.name") ?? "", ""),
                };
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A claim of the wrong JSON type (a number where a string belongs).
            return null;
        }
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? value.GetString() : null;

    // NumericDate: JSON numbers, possibly with a fraction (RFC 7519 §2); truncated to seconds.
    private static long? Time(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? (long)value.GetDouble() : null;

    private static ObjectRef? Ref(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? new ObjectRef(String(value, "name") ?? "", String(value, "uid") ?? "")
            : null;

    // aud is a string or an array of strings (RFC 7519 §4.1.3).
    private static List<string> Audience(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud))
        {
            return [];
        }
        return aud.ValueKind == JsonValueKind.String
            ? [aud.GetString()!]
            : aud.EnumerateArray().Select(a => a.GetString() ?? "").ToList();
    }
}

/// <summary>Service-account user names and groups (apiserver pkg/authentication/serviceaccount/util.go).</summary>
public static class ServiceAccountUser
{
    public const string Prefix = "system:serviceaccount:";
    public const string AllGroup = "system:serviceaccounts";

    public static string Name(string ns, string name) => Prefix + ns + ":" + name;

    /// <summary>The groups every service account of <paramref name="ns"/> is in.</summary>
    public static string NamespaceGroup(string ns) => AllGroup + ":" + ns;
}
