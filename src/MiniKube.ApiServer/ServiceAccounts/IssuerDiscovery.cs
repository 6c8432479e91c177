using System.Buffers;
using System.Buffers.Text;

namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>
/// Service-account issuer discovery (pkg/serviceaccount/openidmetadata.go): the OpenID provider
/// configuration at <c>/.well-known/openid-configuration</c> and the public keys at
/// <c>/openid/v1/jwks</c>, so outside systems (cloud IAM, Vault) can verify tokens without calling
/// the API. Both are fixed for the server's life and built once.
/// </summary>
public sealed class IssuerDiscovery(ServiceAccountKeys keys, ServiceAccountOptions options)
{
    public const string ConfigurationPath = "/.well-known/openid-configuration";
    public const string KeysPath = "/openid/v1/jwks";

    /// <summary>Upstream's content types and cache header for the two documents.</summary>
    public const string ConfigurationContentType = "application/json";
    public const string KeysContentType = "application/jwk-set+json";
    public const string CacheControl = "public, max-age=3600";

    private byte[]? _configuration;
    private byte[]? _keys;

    /// <summary>
    /// The provider configuration; jwks_uri is https://&lt;externalAddress&gt;/openid/v1/jwks, as
    /// kube-apiserver derives it when --service-account-jwks-uri is not set.
    /// </summary>
    public byte[] Configuration(string externalAddress) => _configuration ??= Write(writer =>
    {
        writer.WriteString("issuer", options.Issuer);
        writer.WriteString("jwks_uri", "https://" + externalAddress + KeysPath);
        writer.WriteStartArray("response_types_supported");
        writer.WriteStringValue("id_token");
        writer.WriteEndArray();
        writer.WriteStartArray("subject_types_supported");
        writer.WriteStringValue("public");
        writer.WriteEndArray();
        writer.WriteStartArray("id_token_signing_alg_values_supported");
        writer.WriteStringValue(Jwt.Algorithm);
        writer.WriteEndArray();
    });

    /// <summary>The JSON Web Key Set of every verification key (public parts only).</summary>
    public byte[] KeySet() => _keys ??= Write(writer =>
    {
        writer.WriteStartArray("keys");
        foreach (var (id, key) in keys.Verifying)
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            writer.WriteStartObject();
            writer.WriteString("use", "sig");
            writer.WriteString("kty", "RSA");
            writer.WriteString("kid", id);
            writer.WriteString("alg", Jwt.Algorithm);
            writer.WriteString("n", Base64Url.EncodeToString(parameters.Modulus));
            writer.WriteString("e", Base64Url.EncodeToString(parameters.Exponent));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
