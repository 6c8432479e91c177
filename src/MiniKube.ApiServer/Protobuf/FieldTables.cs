using System.Collections.Frozen;

namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// Protobuf field numbers of the Kubernetes messages we decode, keyed by the k8s.Models class
/// that describes the same object in JSON. The tables hold only what the JSON schema cannot
/// tell: field numbers, JSON names, which zero values are meaningful, MicroTime, and inline
/// structs. Types come from <see cref="Schema.ModelSchema"/>. Parsed once, immutable.
/// </summary>
/// <remarks>
/// The numbers are wire facts from the <c>protobuf:"..."</c> struct tags of upstream types.go
/// (the same facts as each package's generated.proto). A field missing here is skipped like
/// any unknown field, so a table may lag upstream without breaking decoding of older clients.
/// </remarks>
internal static partial class FieldTables
{
    private static readonly FrozenDictionary<Type, MessageTable> ByModel =
        MetaMessages().Concat(CoreMessages()).Concat(GroupMessages()).Concat(AdmissionMessages()).Concat(ApiRegistrationMessages())
            .ToFrozenDictionary(entry => entry.Key, entry => MessageTable.Parse(entry.Value));

    private static readonly FrozenDictionary<string, MessageTable> ByFragment =
        Fragments().ToFrozenDictionary(entry => entry.Key, entry => MessageTable.Parse(entry.Value), StringComparer.Ordinal);

    /// <summary>Every model class with a table.</summary>
    public static IEnumerable<Type> Models => ByModel.Keys;

    public static MessageTable? ForModel(Type model) => ByModel.GetValueOrDefault(model);

    /// <summary>The table of an inline struct named by a <c>number&gt;Fragment</c> token.</summary>
    public static MessageTable Fragment(string name) =>
        ByFragment.TryGetValue(name, out var table) ? table : throw new KeyNotFoundException($"no protobuf fragment table '{name}'");
}
