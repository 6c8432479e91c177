using System.Diagnostics;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// Keeps a background job (a snapshot, a checkpoint) to a share of the time, so that the writers
/// it runs beside keep the store's lock, the CPU and the disk for the rest: after each step the job
/// sleeps until its steps have taken no more than <c>share</c> of the time since it started.
/// Sleep owed for steps shorter than the timer's resolution adds up until it is worth a sleep, and
/// oversleeping counts as rest already taken, so the share holds over many steps, not per step.
/// Not thread-safe: one job, one pacer.
/// </summary>
internal sealed class Pacer
{
    /// <summary>The shortest sleep worth taking: Thread.Sleep has millisecond resolution.</summary>
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    /// <summary>How often a job that gives way (<see cref="GiveWayWhile"/>) looks again.</summary>
    internal static readonly TimeSpan GiveWayPoll = TimeSpan.FromMilliseconds(10);

    private readonly double _restPerWork;
    private readonly Func<TimeSpan> _now;
    private readonly Action<TimeSpan> _sleep;
    private TimeSpan _stepStart;
    private TimeSpan _owed;

    /// <summary>A pacer on the system clock.</summary>
    /// <param name="share">The job's share of the time, in (0, 1]; 1 never sleeps.</param>
    public Pacer(double share)
        : this(share, Elapsed(Stopwatch.StartNew()), Thread.Sleep)
    {
    }

    /// <summary>A pacer on the given clock and sleep, for tests.</summary>
    internal Pacer(double share, Func<TimeSpan> now, Action<TimeSpan> sleep)
    {
        if (!(share > 0 && share <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "a share of the time is in (0, 1]");
        }
        _restPerWork = (1 - share) / share;
        _now = now;
        _sleep = sleep;
        _stepStart = now();
    }

    /// <summary>Ends a step: sleeps for what the steps so far owe, once that is worth a sleep, and starts the next step.</summary>
    public void StepDone()
    {
        var now = _now();
        _owed += (now - _stepStart) * _restPerWork;
        if (_owed >= MinimumSleep)
        {
            _sleep(_owed);
            var after = _now();
            _owed -= after - now; // a longer sleep than asked is rest taken in advance
            now = after;
        }
        _stepStart = now;
    }

    /// <summary>
    /// Ends a step, then, while <paramref name="busy"/> holds, waits for it in sleeps of
    /// <see cref="GiveWayPoll"/>, for a job that gives way to a more urgent one (a checkpoint to
    /// a snapshot). The wait is neither work nor rest: afterwards the job goes on at its share,
    /// with no sleep owed for it and no burst of unpaced work on the strength of it.
    /// </summary>
    public void GiveWayWhile(Func<bool> busy)
    {
        StepDone();
        if (!busy())
        {
            return;
        }
        do
        {
            _sleep(GiveWayPoll);
        }
        while (busy());
        _stepStart = _now();
        _owed = TimeSpan.Zero;
    }

    private static Func<TimeSpan> Elapsed(Stopwatch clock) => () => clock.Elapsed;
}
