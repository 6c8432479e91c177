using System.Security.Cryptography;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// <c>GET /openapi/v2</c>: a Swagger 2.0 document with the API's title and version but no paths or
/// definitions. kubectl reads v2 only where v3 cannot answer: a <c>kind: List</c> manifest is
/// checked client-side against the v2 definitions (cli-runtime's v3 verifier never supports
/// v1/List), and a 404 there fails the whole apply. With no definitions kubectl skips the items'
/// client-side check (kubectl/pkg/validation leaves kinds the schema lacks alone) and the API server
/// validates each item as it is written, as for any other manifest. kubectl asks for gnostic's
/// protobuf (openapi.v2.Document), other clients for JSON; both carry the same three fields.
/// </summary>
public static class OpenApiV2Document
{
    /// <summary>
    /// The protobuf media type of the answer. Clients ask with the older spelling
    /// (<c>…spec.v2@v1.0+protobuf</c>), which Go's mime parser rejects in a Content-Type, so
    /// kube-openapi answers with this one (handler.go's subTypeProtobuf).
    /// </summary>
    public const string ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /// <summary>The document as JSON, or as gnostic protobuf when <paramref name="protobuf"/>; with its quoted ETag.</summary>
    public static (byte[] Body, string ETag) For(string kubernetesVersion, bool protobuf)
    {
        ArgumentException.ThrowIfNullOrEmpty(kubernetesVersion);
        var body = protobuf ? Protobuf(kubernetesVersion) : Json(kubernetesVersion);
        return (body, "\"" + Convert.ToHexString(SHA512.HashData(body)) + "\"");
    }

    private static byte[] Json(string kubernetesVersion) => System.Text.Encoding.UTF8.GetBytes(new JsonObject
    {
        ["swagger"] = "2.0",
        ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = kubernetesVersion },
        ["paths"] = new JsonObject(),
        ["definitions"] = new JsonObject(),
    }.ToJsonString());

    // openapi.v2.Document: swagger = 1, info = 2 (Info: title = 1, version = 2), paths = 8, definitions = 9.
    private static byte[] Protobuf(string kubernetesVersion)
    {
        var info = new MemoryStream();
        WriteString(info, 1, "Kubernetes");
        WriteString(info, 2, kubernetesVersion);
        var document = new MemoryStream();
        WriteString(document, 1, "2.0");
        WriteBytes(document, 2, info.ToArray());
        WriteBytes(document, 8, []);
        WriteBytes(document, 9, []);
        return document.ToArray();
    }

    private static void WriteString(MemoryStream stream, int field, string value) => WriteBytes(stream, field, System.Text.Encoding.UTF8.GetBytes(value));

    // A length-delimited field (wire type 2): the key, the length as a varint, the bytes.
    private static void WriteBytes(MemoryStream stream, int field, byte[] value)
    {
        WriteVarint(stream, (uint)(field << 3 | 2));
        WriteVarint(stream, (uint)value.Length);
        stream.Write(value);
    }

    private static void WriteVarint(MemoryStream stream, uint value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
