using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// How objects sit in the store: compact JSON with apiVersion, kind and metadata first and no
/// <c>metadata.resourceVersion</c>, because the resourceVersion is the key's ModRevision and is
/// only known once the write lands (as in kube-apiserver's etcd3 storage, which also sets it on
/// read). Putting metadata third lets a read splice the version in without parsing the object,
/// which keeps a LIST of thousands of objects a byte copy.
/// </summary>
internal static class ObjectCodec
{
    private static readonly byte[] MetadataOpen = "\"metadata\":{"u8.ToArray();

    /// <summary>Compact JSON escaped as Go's encoder does (quotes as \", not \u0022), so messages read the same.</summary>
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 512 };

    // Deeper than anything a write may carry (request bodies and patch results are bounded
    // below this), so whatever was stored can always be read back.
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 512 };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Most objects are a few KB: each thread keeps the buffer it encodes into (up to this size),
    // so a write allocates only the array it stores, not a buffer that doubles on the way there.
    private const int KeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? threadBuffer;

    /// <summary>The stored form of <paramref name="obj"/> (which is left untouched).</summary>
    public static byte[] Encode(JsonObject obj)
    {
        var buffer = threadBuffer ?? new ArrayBufferWriter<byte>(4096);
        threadBuffer = null; // not shared with an Encode this one might call on the same thread
        buffer.ResetWrittenCount();
        try
        {
            WriteStored(buffer, obj);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity <= KeptBufferBytes)
            {
                threadBuffer = buffer;
            }
        }
    }

    private static void WriteStored(ArrayBufferWriter<byte> buffer, JsonObject obj)
    {
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteProperty(writer, obj, "apiVersion");
            WriteProperty(writer, obj, "kind");
            writer.WritePropertyName("metadata");
            writer.WriteStartObject();
            if (obj["metadata"] is JsonObject metadata)
            {
                foreach (var (name, value) in metadata)
                {
                    if (name != "resourceVersion")
                    {
                        writer.WritePropertyName(name);
                        WriteValue(writer, value);
                    }
                }
            }
            writer.WriteEndObject();
            foreach (var (name, value) in obj)
            {
                if (name is not ("apiVersion" or "kind" or "metadata"))
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }
            }
            writer.WriteEndObject();
        }
    }

    /// <summary>Writes the stored bytes with <c>metadata.resourceVersion</c> set, without parsing them.</summary>
    public static void WriteWithVersion(IBufferWriter<byte> output, ReadOnlySpan<byte> stored, long resourceVersion)
    {
        var at = stored.IndexOf(MetadataOpen);
        if (at < 0)
        {
            throw new InvalidDataException("stored object has no metadata");
        }
        at += MetadataOpen.Length;
        output.Write(stored[..at]);
        output.Write("\"resourceVersion\":\""u8);
        Span<byte> digits = stackalloc byte[20];
        resourceVersion.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        output.Write(digits[..length]);
        output.Write(stored[at] == (byte)'}' ? "\""u8 : "\","u8);
        output.Write(stored[at..]);
    }

    /// <summary>The stored bytes as a mutable object with its resourceVersion.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> stored, long resourceVersion)
    {
        var obj = JsonNode.Parse(stored, documentOptions: ReadOptions)?.AsObject() ?? throw new InvalidDataException("stored object is not a JSON object");
        Metadata(obj)["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    /// <summary>The object's metadata, created when missing.</summary>
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }
        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string ToJson(JsonNode node) => node.ToJsonString(Compact);

    public static byte[] ToUtf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Compact));

    private static void WriteProperty(Utf8JsonWriter writer, JsonObject obj, string name)
    {
        if (obj[name] is { } value)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}
