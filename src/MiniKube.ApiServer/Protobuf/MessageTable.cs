using System.Collections.Frozen;

namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// One field of a Kubernetes protobuf message: its number on the wire and where its value goes
/// in the JSON object. The value's JSON shape is not stored here; it comes from the model's
/// <see cref="Schema.SchemaNode"/>.
/// </summary>
/// <param name="Number">Protobuf field number.</param>
/// <param name="JsonName">JSON property name, or for an inline field the fragment's name.</param>
/// <param name="KeepZero">
/// Emit "", 0 and false too. Go's generated marshallers write every non-pointer scalar, so a
/// zero on the wire usually means "unset" and JSON's omitempty would drop it; pointer fields
/// (replicas, runAsUser, ...) and fields without omitempty keep it.
/// </param>
/// <param name="MicroTime">A metav1.MicroTime, which JSON writes with microseconds.</param>
/// <param name="IsInline">
/// An embedded Go struct (VolumeSource in Volume, ProbeHandler in Probe): a nested message on the
/// wire whose fields JSON flattens into the enclosing object.
/// </param>
internal sealed record ProtoField(int Number, string JsonName, bool KeepZero, bool MicroTime, bool IsInline);

/// <summary>
/// The fields of one message, parsed from the compact table syntax of <see cref="FieldTables"/>:
/// space-separated tokens <c>number:jsonName</c>, suffixed <c>?</c> for <see cref="ProtoField.KeepZero"/>
/// or <c>~</c> for <see cref="ProtoField.MicroTime"/>, and <c>number&gt;Fragment</c> for inline fields.
/// Immutable once parsed.
/// </summary>
internal sealed class MessageTable
{
    private readonly FrozenDictionary<int, ProtoField> fields;

    private MessageTable(FrozenDictionary<int, ProtoField> fields) => this.fields = fields;

    public IEnumerable<ProtoField> Fields => fields.Values;

    public bool TryGetField(int number, out ProtoField field) => fields.TryGetValue(number, out field!);

    public static MessageTable Parse(string spec)
    {
        var byNumber = new Dictionary<int, ProtoField>();
        foreach (var token in spec.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var field = ParseToken(token);
            if (!byNumber.TryAdd(field.Number, field))
            {
                throw new FormatException($"field table '{spec}' lists field {field.Number} twice");
            }
        }
        return new MessageTable(byNumber.ToFrozenDictionary());
    }

    private static ProtoField ParseToken(string token)
    {
        var separator = token.IndexOfAny([':', '>']);
        if (separator <= 0 || separator == token.Length - 1)
        {
            throw new FormatException($"bad field table token '{token}'");
        }
        var number = int.Parse(token.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture);
        var name = token[(separator + 1)..];
        if (token[separator] == '>')
        {
            return new ProtoField(number, name, KeepZero: false, MicroTime: false, IsInline: true);
        }
        var keepZero = name.EndsWith('?');
        var microTime = name.EndsWith('~');
        if (keepZero || microTime)
        {
            name = name[..^1];
        }
        return new ProtoField(number, name, keepZero, microTime, IsInline: false);
    }
}
