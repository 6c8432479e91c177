using Google.Protobuf;

namespace MiniKube.ApiServer.Tests.Protobuf;

/// <summary>
/// Builds protobuf bytes by hand with Google.Protobuf's CodedOutputStream, field by field, the
/// way Go's generated marshallers lay them out; for bodies kubectl cannot be made to send.
/// </summary>
public sealed class ProtoMessage
{
    // Writes are replayed into a fresh stream by ToArray, so the builder owns nothing disposable.
    private readonly List<Action<CodedOutputStream>> writes = [];

    private ProtoMessage Write(Action<CodedOutputStream> write)
    {
        writes.Add(write);
        return this;
    }

    public ProtoMessage String(int field, string value) => Write(output =>
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    });

    public ProtoMessage Varint(int field, long value) => Write(output =>
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    });

    public ProtoMessage Double(int field, double value) => Write(output =>
    {
        output.WriteTag(field, WireFormat.WireType.Fixed64);
        output.WriteDouble(value);
    });

    public ProtoMessage Bytes(int field, byte[] value) => Write(output =>
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
    });

    public ProtoMessage Message(int field, ProtoMessage value) => Bytes(field, value.ToArray());

    /// <summary>A map entry {1: key, 2: value}.</summary>
    public ProtoMessage Entry(int field, string key, string value) => Message(field, new ProtoMessage().String(1, key).String(2, value));

    /// <summary>Integers in one length-delimited run, as proto3 writers pack repeated numbers.</summary>
    public ProtoMessage Packed(int field, params long[] values)
    {
        var packed = new ProtoMessage();
        foreach (var value in values)
        {
            packed.Write(output => output.WriteInt64(value));
        }
        return Bytes(field, packed.ToArray());
    }

    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            foreach (var write in writes)
            {
                write(output);
            }
        }
        return stream.ToArray();
    }

    /// <summary>A whole request body: magic, then runtime.Unknown around the object.</summary>
    public static byte[] Body(string apiVersion, string kind, ProtoMessage obj)
    {
        var unknown = new ProtoMessage()
            .Message(1, new ProtoMessage().String(1, apiVersion).String(2, kind))
            .Message(2, obj)
            .ToArray();
        return [0x6b, 0x38, 0x73, 0x00, .. unknown];
    }
}
