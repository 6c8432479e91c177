using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using k8s.Models;

namespace MiniKube.Client.Events;

/// <summary>
/// Decides for each event an <see cref="EventRecorder"/> writes whether it repeats an Event
/// already written (patch its count) or is new (create it), and folds a flood of similar events
/// into one (client-go tools/record events_cache.go: EventAggregator and eventLogger; the
/// EventSourceObjectSpamFilter is not ported). Similar events are those of one object, type and
/// reason; from the tenth distinct message among them with no more than the window between one
/// and the next, each is written as the group's one combined Event instead,
/// "(combined from similar events): " + its message, whose count then grows. Not thread-safe: the
/// recorder's single writer owns it.
/// </summary>
internal sealed class EventCorrelator
{
    /// <summary>Upstream's EventAggregatorByReasonMessageFunc prefix.</summary>
    public const string CombinedPrefix = "(combined from similar events): ";

    /// <summary>Upstream's defaultAggregateMaxEvents: this many distinct messages in a group and the events are combined.</summary>
    public const int MaxDistinctMessages = 10;

    private readonly TimeSpan _window;

    // The caches hold 128-bit fingerprints of what they compare (a group's object, type and
    // reason; an event's group, fieldPath and message), not the strings: a full cache pair of
    // strings, key records and list nodes cost about 840 bytes an entry, and a process with
    // twenty simulated kubelets held 73 MB of them. A collision of two fingerprints (odds about
    // 2^-128) would patch the wrong Event's count; it cannot lose or corrupt an object.
    private readonly LruCache<UInt128, SimilarMessages> _groups;

    // Keyed by an event's fingerprint as recorded, by its group's for the group's combined Event:
    // one cache holds both, as upstream's eventLogger does.
    private readonly LruCache<UInt128, WrittenEvent> _written;
    private readonly XxHash128 _hash = new();

    public EventCorrelator(int cacheSize, TimeSpan window)
    {
        _window = window;
        _groups = new LruCache<UInt128, SimilarMessages>(cacheSize);
        _written = new LruCache<UInt128, WrittenEvent>(cacheSize);
    }

    /// <summary>What to write for an event recorded at <paramref name="at"/>.</summary>
    public Correlation Correlate(V1ObjectReference involved, string type, string reason, string message, DateTimeOffset at)
    {
        // The group has no fieldPath: events about different containers of a pod are similar, as upstream.
        var group = Fingerprint("group", involved.Kind, involved.NamespaceProperty, involved.Name, involved.Uid, involved.ApiVersion, type, reason);
        var correlation = TooManySimilar(group, message, at)
            ? new Correlation(group, CombinedPrefix + message, null)
            : new Correlation(Fingerprint("event", involved.Kind, involved.NamespaceProperty, involved.Name, involved.Uid, involved.ApiVersion, type, reason, involved.FieldPath, message), message, null);
        return _written.TryGet(correlation.Key, out var earlier) ? correlation with { Earlier = earlier } : correlation;
    }

    /// <summary>Remembers the Event written (created or patched) for <paramref name="correlation"/>, so its next repeat patches it.</summary>
    public void Written(Correlation correlation, WrittenEvent written) => _written.Set(correlation.Key, written);

    private bool TooManySimilar(UInt128 group, string message, DateTimeOffset at)
    {
        var fingerprint = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(message.AsSpan()));
        if (!_groups.TryGet(group, out var similar) || at - similar.LastSeen > _window)
        {
            _groups.Set(group, new SimilarMessages(fingerprint, at));
            return false;
        }
        similar.LastSeen = at;
        var tooMany = !similar.Contains(fingerprint) && !similar.TryAdd(fingerprint);
        _groups.Set(group, similar);
        // The tenth distinct message. Upstream then drops any one of the ten to stay below the
        // threshold; dropping the new one keeps the nine remembered, so their repeats go on
        // counting on their own Events.
        return tooMany;
    }

    /// <summary>The fields' fingerprint; each is length-prefixed (null apart from empty), so no two different lists run together alike.</summary>
    private UInt128 Fingerprint(params ReadOnlySpan<string?> fields)
    {
        _hash.Reset();
        Span<byte> length = stackalloc byte[sizeof(int)];
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, field?.Length ?? -1);
            _hash.Append(length);
            _hash.Append(MemoryMarshal.AsBytes(field.AsSpan()));
        }
        return _hash.GetCurrentHashAsUInt128();
    }

    /// <summary>
    /// A group's distinct messages (their 64-bit fingerprints, at most nine) and when it was last
    /// seen. Most groups (one pod's Started) hold one message, kept inline; a value in its cache
    /// entry, so a group costs no objects of its own until its second message.
    /// </summary>
    private struct SimilarMessages(ulong first, DateTimeOffset lastSeen)
    {
        private readonly ulong _first = first;
        private ulong[]? _others;
        private int _othersCount;

        public DateTimeOffset LastSeen { get; set; } = lastSeen;

        public readonly bool Contains(ulong fingerprint) =>
            _first == fingerprint || (_others is not null && _others.AsSpan(0, _othersCount).Contains(fingerprint));

        /// <returns>False when nine are remembered already.</returns>
        public bool TryAdd(ulong fingerprint)
        {
            if (_othersCount == MaxDistinctMessages - 2)
            {
                return false;
            }
            _others ??= new ulong[MaxDistinctMessages - 2];
            _others[_othersCount++] = fingerprint;
            return true;
        }
    }
}

/// <summary>What <see cref="EventCorrelator.Correlate"/> decided.</summary>
/// <param name="Key">Where the correlator remembers the Event written for it.</param>
/// <param name="Message">The message to write: the recorded one, or the combined one.</param>
/// <param name="Earlier">The Event to patch, when one was written for the same key; otherwise a new Event is created.</param>
internal readonly record struct Correlation(UInt128 Key, string Message, WrittenEvent? Earlier);

/// <summary>
/// An Event on the server, as far as a later patch of its count needs it: its name is the
/// involved object's name and this suffix (<see cref="EventRecorder"/> names them so), its
/// namespace the involved object's, both the same for every event a correlation key matches.
/// </summary>
internal readonly record struct WrittenEvent(long NameSuffix, int Count);
