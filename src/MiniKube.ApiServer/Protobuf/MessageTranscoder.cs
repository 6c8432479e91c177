using Google.Protobuf;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// Reads one Kubernetes protobuf message into the JSON object the same Go value would marshal
/// to. The model's <see cref="SchemaNode"/> says what each field holds, <see cref="FieldTables"/>
/// which number it has. One instance reads one buffer, front to back, and is then discarded.
/// </summary>
/// <remarks>
/// Mirrors the marshallers generated into kubernetes/api <c>generated.pb.go</c> together with the
/// custom ones in apimachinery (meta/v1 time_proto.go and micro_time_proto.go, api/resource
/// quantity_proto.go, util/intstr intstr.go, runtime types_proto.go), and the JSON rules of Go's
/// encoding/json: omitempty drops "", 0, false and empty lists/maps but never a struct.
/// </remarks>
internal sealed class MessageTranscoder
{
    /// <summary>
    /// How many messages may nest. A Deployment's deepest path is about 12; the limit only keeps
    /// a hostile body from exhausting the stack.
    /// </summary>
    internal const int MaxDepth = 64;

    private const string Rfc3339 = "yyyy-MM-dd'T'HH:mm:ss'Z'";
    private const string Rfc3339Micro = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    // Every stream reads a range of this one array, so nesting copies nothing.
    private readonly byte[] buffer;
    private readonly int maxDepth;

    private MessageTranscoder(byte[] buffer, int maxDepth)
    {
        this.buffer = buffer;
        this.maxDepth = maxDepth;
    }

    /// <summary>Decodes <paramref name="length"/> bytes at <paramref name="offset"/> as a <paramref name="model"/> into <paramref name="target"/>.</summary>
    /// <exception cref="UnsupportedProtobufKindException">No field table for the model or one it nests.</exception>
    /// <exception cref="KubeProtobufException">The bytes are not a valid message.</exception>
    public static void ReadInto(byte[] buffer, int offset, int length, Type model, JsonObject target, int maxDepth = MaxDepth)
    {
        var table = FieldTables.ForModel(model) ?? throw Unsupported(model);
        using var input = new CodedInputStream(buffer, offset, length);
        try
        {
            new MessageTranscoder(buffer, maxDepth).ReadObject(input, ModelSchema.For(model), table, target, depth: 0);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KubeProtobufException($"the body of the request was not valid {KubeProtobuf.MediaType}: {e.Message}", e);
        }
    }

    private void ReadObject(CodedInputStream input, SchemaNode schema, MessageTable table, JsonObject target, int depth)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (!table.TryGetField(WireFormat.GetTagFieldNumber(tag), out var field))
            {
                input.SkipLastField();
            }
            else if (field.IsInline)
            {
                var fragment = FieldTables.Fragment(field.JsonName);
                ReadNested(input, tag, depth, (nested, inner) => ReadObject(nested, schema, fragment, target, inner));
            }
            else if (schema.Properties.TryGetValue(field.JsonName, out var property))
            {
                ReadField(input, tag, field, property.Schema, target, depth);
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    private void ReadField(CodedInputStream input, uint tag, ProtoField field, SchemaNode schema, JsonObject target, int depth)
    {
        switch (schema.Kind)
        {
            case SchemaKind.Array:
                var list = target[field.JsonName] as JsonArray;
                if (list is null)
                {
                    list = [];
                    target[field.JsonName] = list;
                }
                ReadListElements(input, tag, schema.Items!, field.MicroTime, list, depth);
                break;
            case SchemaKind.Map:
                var map = target[field.JsonName] as JsonObject;
                if (map is null)
                {
                    map = [];
                    target[field.JsonName] = map;
                }
                ReadMapEntry(input, tag, schema.Items!, field.MicroTime, map, depth);
                break;
            default:
                var value = ReadValue(input, tag, schema, field.MicroTime, depth);
                if (field.KeepZero || !IsZeroScalar(schema.Kind, value))
                {
                    target[field.JsonName] = value;
                }
                break;
        }
    }

    // A repeated field arrives as one tag per element; proto2 numbers may also arrive packed.
    private void ReadListElements(CodedInputStream input, uint tag, SchemaNode items, bool microTime, JsonArray list, int depth)
    {
        if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited && PackedWireType(items.Kind) is { } elementWireType)
        {
            var elementTag = WireFormat.MakeTag(WireFormat.GetTagFieldNumber(tag), elementWireType);
            ReadNested(input, tag, depth, (packed, _) =>
            {
                while (!packed.IsAtEnd)
                {
                    list.Add(ReadValue(packed, elementTag, items, microTime, depth));
                }
            });
            return;
        }
        list.Add(ReadValue(input, tag, items, microTime, depth));
    }

    // Map entries are messages {1: key, 2: value}; Go writes both, but a reader must supply the
    // zero value for a missing one.
    private void ReadMapEntry(CodedInputStream input, uint tag, SchemaNode values, bool microTime, JsonObject map, int depth) =>
        ReadNested(input, tag, depth, (entry, inner) =>
        {
            var key = "";
            JsonNode? value = null;
            var hasValue = false;
            uint entryTag;
            while ((entryTag = entry.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(entryTag))
                {
                    case 1:
                        Expect(entryTag, WireFormat.WireType.LengthDelimited, "map key");
                        key = entry.ReadString();
                        break;
                    case 2:
                        value = ReadValue(entry, entryTag, values, microTime, inner);
                        hasValue = true;
                        break;
                    default:
                        entry.SkipLastField();
                        break;
                }
            }
            map[key] = hasValue ? value : ZeroValue(values);
        });

    private JsonNode? ReadValue(CodedInputStream input, uint tag, SchemaNode schema, bool microTime, int depth)
    {
        switch (schema.Kind)
        {
            case SchemaKind.String:
                Expect(tag, WireFormat.WireType.LengthDelimited, "string");
                return JsonValue.Create(input.ReadString());
            case SchemaKind.Integer:
                Expect(tag, WireFormat.WireType.Varint, "integer");
                return JsonValue.Create(input.ReadInt64());
            case SchemaKind.Boolean:
                Expect(tag, WireFormat.WireType.Varint, "boolean");
                return JsonValue.Create(input.ReadBool());
            case SchemaKind.Number:
                Expect(tag, WireFormat.WireType.Fixed64, "double");
                var number = input.ReadDouble();
                return double.IsFinite(number) ? JsonValue.Create(number) : throw Malformed("a number is not finite");
            case SchemaKind.Bytes:
                Expect(tag, WireFormat.WireType.LengthDelimited, "bytes");
                return JsonValue.Create(Convert.ToBase64String(input.ReadBytes().Span));
            case SchemaKind.Time:
                return ReadNested(input, tag, depth, (nested, _) => ReadTime(nested, microTime));
            case SchemaKind.Quantity:
                return ReadNested(input, tag, depth, (nested, _) => ReadQuantity(nested));
            case SchemaKind.IntOrString:
                return ReadNested(input, tag, depth, (nested, _) => ReadIntOrString(nested));
            case SchemaKind.Any:
                return ReadNested(input, tag, depth, (nested, _) => ReadRawExtension(nested));
            case SchemaKind.Object:
                var table = FieldTables.ForModel(schema.Model!) ?? throw Unsupported(schema.Model!);
                var obj = new JsonObject();
                ReadNested(input, tag, depth, (nested, inner) =>
                {
                    ReadObject(nested, schema, table, obj, inner);
                });
                return obj;
            case SchemaKind.Array:
                // Only as a map value: Go wraps []string in a message {1: repeated} (authentication
                // v1 ExtraValue), because protobuf maps cannot hold lists.
                var list = new JsonArray();
                ReadNested(input, tag, depth, (nested, inner) =>
                {
                    uint itemTag;
                    while ((itemTag = nested.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(itemTag) == 1)
                        {
                            ReadListElements(nested, itemTag, schema.Items!, microTime, list, inner);
                        }
                        else
                        {
                            nested.SkipLastField();
                        }
                    }
                });
                return list;
            default:
                throw Malformed($"a {schema.Kind} value cannot be read from protobuf here");
        }
    }

    // metav1.Time and MicroTime: Timestamp{1: seconds, 2: nanos}. An empty message is Go's zero
    // time, which JSON writes as null. Time drops the nanoseconds (time_proto.go); MicroTime
    // keeps microseconds.
    private static JsonValue? ReadTime(CodedInputStream input, bool microTime)
    {
        if (input.IsAtEnd)
        {
            return null;
        }
        long seconds = 0;
        long nanos = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.Varint, "seconds");
                    seconds = input.ReadInt64();
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.Varint, "nanos");
                    nanos = input.ReadInt32();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        if (seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || nanos is < 0 or > 999_999_999)
        {
            throw Malformed("a timestamp is out of range");
        }
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return microTime
            ? JsonValue.Create(time.AddTicks(nanos / 1000 * TimeSpan.TicksPerMicrosecond).ToString(Rfc3339Micro, CultureInfo.InvariantCulture))
            : JsonValue.Create(time.ToString(Rfc3339, CultureInfo.InvariantCulture));
    }

    // resource.Quantity: {1: string} holding the canonical text.
    private static JsonValue ReadQuantity(CodedInputStream input)
    {
        var text = "0";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                Expect(tag, WireFormat.WireType.LengthDelimited, "quantity");
                text = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }
        return JsonValue.Create(text);
    }

    // intstr.IntOrString: {1: type (0 int, 1 string), 2: intVal, 3: strVal}.
    private static JsonValue ReadIntOrString(CodedInputStream input)
    {
        long type = 0;
        long intValue = 0;
        var stringValue = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.Varint, "intstr type");
                    type = input.ReadInt64();
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.Varint, "intstr intVal");
                    intValue = input.ReadInt32();
                    break;
                case 3:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "intstr strVal");
                    stringValue = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return type == 1 ? JsonValue.Create(stringValue) : JsonValue.Create(intValue);
    }

    // runtime.RawExtension and metav1.FieldsV1: {1: raw bytes} that hold JSON already.
    private static JsonNode? ReadRawExtension(CodedInputStream input)
    {
        var raw = ByteString.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                Expect(tag, WireFormat.WireType.LengthDelimited, "raw");
                raw = input.ReadBytes();
            }
            else
            {
                input.SkipLastField();
            }
        }
        if (raw.IsEmpty)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(raw.Span);
        }
        catch (JsonException e)
        {
            throw new KubeProtobufException($"the body of the request was not valid {KubeProtobuf.MediaType}: an embedded object is not JSON ({e.Message})", e);
        }
    }

    // Reads a length-delimited submessage through a stream of its own over the same array.
    // Skipping the field in the outer stream checks its length against the enclosing message;
    // depth counts messages, so a hostile body cannot recurse without bound.
    private T ReadNested<T>(CodedInputStream input, uint tag, int depth, Func<CodedInputStream, int, T> read)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited, "message");
        if (depth >= maxDepth)
        {
            throw Malformed($"messages nest deeper than {maxDepth}");
        }
        var start = (int)input.Position;
        input.SkipLastField();
        var end = (int)input.Position;
        // The length varint was valid (SkipLastField read it); step over it to the content.
        while ((buffer[start++] & 0x80) != 0)
        {
        }
        using var nested = new CodedInputStream(buffer, start, end - start);
        return read(nested, depth + 1);
    }

    private void ReadNested(CodedInputStream input, uint tag, int depth, Action<CodedInputStream, int> read) =>
        ReadNested(input, tag, depth, (nested, inner) =>
        {
            read(nested, inner);
            return true;
        });

    private static void Expect(uint tag, WireFormat.WireType expected, string what)
    {
        var actual = WireFormat.GetTagWireType(tag);
        if (actual != expected)
        {
            throw Malformed($"field {WireFormat.GetTagFieldNumber(tag)} should be a {what} ({expected}) but has wire type {actual}");
        }
    }

    private static WireFormat.WireType? PackedWireType(SchemaKind kind) => kind switch
    {
        SchemaKind.Integer or SchemaKind.Boolean => WireFormat.WireType.Varint,
        SchemaKind.Number => WireFormat.WireType.Fixed64,
        _ => null,
    };

    // What encoding/json's omitempty drops among scalars.
    private static bool IsZeroScalar(SchemaKind kind, JsonNode? value) => value is JsonValue scalar && kind switch
    {
        SchemaKind.String or SchemaKind.Bytes => scalar.GetValue<string>().Length == 0,
        SchemaKind.Integer => scalar.GetValue<long>() == 0,
        SchemaKind.Number => scalar.GetValue<double>() == 0,
        SchemaKind.Boolean => !scalar.GetValue<bool>(),
        _ => false,
    };

    // The JSON of a Go zero value, for a map entry that carries no value.
    private static JsonNode? ZeroValue(SchemaNode schema) => schema.Kind switch
    {
        SchemaKind.String or SchemaKind.Bytes => JsonValue.Create(""),
        SchemaKind.Integer or SchemaKind.IntOrString => JsonValue.Create(0L),
        SchemaKind.Number => JsonValue.Create(0d),
        SchemaKind.Boolean => JsonValue.Create(false),
        SchemaKind.Quantity => JsonValue.Create("0"),
        SchemaKind.Object => new JsonObject(),
        _ => null,
    };

    private static KubeProtobufException Malformed(string detail) =>
        new($"the body of the request was not valid {KubeProtobuf.MediaType}: {detail}");

    private static UnsupportedProtobufKindException Unsupported(Type model) =>
        new($"the server has no protobuf field table for {model.Name}; send the object as application/json");
}
