using System.Text;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// ConfigMap and Secret rules: pkg/apis/core/validation/validation.go ValidateConfigMap(Update)
/// and ValidateSecret(Update). Keys are config keys, the payload is at most 1 MiB, and an
/// object created with immutable: true keeps its data and its immutability.
/// </summary>
internal static class ConfigValidation
{
    private const int MaxSize = 1024 * 1024;
    private const string ImmutableWhenSet = "field is immutable when `immutable` is set";

    public static void ConfigMap(JsonObject obj, List<FieldError> errors)
    {
        long total = 0;
        var binary = obj.Obj("binaryData");
        foreach (var (key, value) in obj.StringMap("data"))
        {
            Key(key, FieldPath.Of("data").Key(key), errors);
            if (binary?.ContainsKey(key) == true)
            {
                errors.Add(FieldError.Invalid(FieldPath.Of("data").Key(key), BadValue.Of(key), "duplicate of key present in binaryData"));
            }
            total += Encoding.UTF8.GetByteCount(value);
        }
        foreach (var (key, value) in obj.StringMap("binaryData"))
        {
            Key(key, FieldPath.Of("binaryData").Key(key), errors);
            total += DecodedLength(value);
        }
        if (total > MaxSize)
        {
            errors.Add(FieldError.TooLong(FieldPath.Root, MaxSize));
        }
    }

    public static void ConfigMapUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ImmutableData(obj, old, ["data", "binaryData"], errors);
        ConfigMap(obj, errors);
    }

    public static void Secret(JsonObject obj, List<FieldError> errors)
    {
        var dataPath = FieldPath.Of("data");
        long total = 0;
        foreach (var (key, value) in obj.StringMap("data"))
        {
            Key(key, dataPath.Key(key), errors);
            total += DecodedLength(value);
        }
        if (total > MaxSize)
        {
            errors.Add(FieldError.TooLong(dataPath, MaxSize));
        }
        var data = obj.Obj("data");
        switch (obj.StrOrEmpty("type"))
        {
            case "kubernetes.io/service-account-token":
                if (obj.Obj("metadata").Obj("annotations").StrOrEmpty("kubernetes.io/service-account.name").Length == 0)
                {
                    errors.Add(FieldError.Required(FieldPath.Of("metadata", "annotations").Key("kubernetes.io/service-account.name")));
                }
                break;
            case "kubernetes.io/dockercfg":
                RequireKeys(data, dataPath, errors, ".dockercfg");
                break;
            case "kubernetes.io/dockerconfigjson":
                RequireKeys(data, dataPath, errors, ".dockerconfigjson");
                break;
            case "kubernetes.io/basic-auth":
                if (data?.ContainsKey("username") != true && data?.ContainsKey("password") != true)
                {
                    RequireKeys(data, dataPath, errors, "username", "password");
                }
                break;
            case "kubernetes.io/ssh-auth":
                if (data.StrOrEmpty("ssh-privatekey").Length == 0)
                {
                    errors.Add(FieldError.Required(dataPath.Key("ssh-privatekey")));
                }
                break;
            case "kubernetes.io/tls":
                RequireKeys(data, dataPath, errors, "tls.crt", "tls.key");
                break;
        }
    }

    public static void SecretUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        if (obj.StrOrEmpty("type") != old.StrOrEmpty("type"))
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("type"), BadValue.Of(obj.StrOrEmpty("type")), MetaValidation.ImmutableMessage));
        }
        ImmutableData(obj, old, ["data"], errors);
        Secret(obj, errors);
    }

    private static void ImmutableData(JsonObject obj, JsonObject old, string[] fields, List<FieldError> errors)
    {
        if (old.Bool("immutable") != true)
        {
            return;
        }
        if (obj.Bool("immutable") != true)
        {
            errors.Add(FieldError.Forbidden(FieldPath.Of("immutable"), ImmutableWhenSet));
        }
        foreach (var field in fields)
        {
            // An empty map and an absent one are the same to Go's reflect.DeepEqual only when both are nil; treat {} as absent like the wire does.
            var now = obj.Obj(field) is { Count: > 0 } n ? n : null;
            var before = old.Obj(field) is { Count: > 0 } b ? b : null;
            if (!JsonNode.DeepEquals(now, before))
            {
                errors.Add(FieldError.Forbidden(FieldPath.Of(field), ImmutableWhenSet));
            }
        }
    }

    private static void Key(string key, FieldPath path, List<FieldError> errors)
    {
        foreach (var message in Formats.IsConfigMapKey(key))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(key), message));
        }
    }

    private static void RequireKeys(JsonObject? data, FieldPath path, List<FieldError> errors, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (data?.ContainsKey(key) != true)
            {
                errors.Add(FieldError.Required(path.Key(key)));
            }
        }
    }

    // Byte values travel as base64; their size is that of the decoded bytes.
    private static long DecodedLength(string base64)
    {
        var padding = base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0;
        return Math.Max(0, (base64.Length / 4 * 3) - padding);
    }
}
