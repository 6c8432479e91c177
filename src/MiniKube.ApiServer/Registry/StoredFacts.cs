using System.Runtime.CompilerServices;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// What a write path needs to know of another stored object (is a namespace terminating, which
/// Pod Security levels its labels set, does a service account automount its token), derived once
/// per stored value rather than decoded on every request. The watch cache hands out the same
/// <see cref="KeyValue"/> instance until the object changes, so keying by instance is keying by
/// version; entries go with their values. <typeparamref name="T"/> must be immutable: it is shared
/// by concurrent requests. Thread-safe.
/// </summary>
internal sealed class StoredFacts<T>(Func<JsonObject, T> derive)
    where T : class
{
    private readonly ConditionalWeakTable<KeyValue, T> _facts = new();

    private readonly ConditionalWeakTable<KeyValue, T>.CreateValueCallback _create = kv => derive(ObjectCodec.Decode(kv.Value, kv.ModRevision));

    /// <summary>The facts of <paramref name="stored"/>, derived from its decoded object on first use.</summary>
    public T Of(KeyValue stored) => _facts.GetValue(stored, _create);
}
