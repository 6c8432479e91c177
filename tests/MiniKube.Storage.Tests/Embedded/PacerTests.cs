using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>The pacer keeps a job's steps to its share of the time, on a clock the test moves.</summary>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class PacerTests
{
    private TimeSpan _now;
    private readonly List<TimeSpan> _sleeps = [];

    private Pacer NewPacer(double share, TimeSpan? oversleep = null) =>
        new(share, () => _now, d =>
        {
            _sleeps.Add(d);
            _now += d + (oversleep ?? TimeSpan.Zero);
        });

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Test]
    public void StepDone_ShareOfAThird_SleepsTwiceEachStep()
    {
        var pacer = NewPacer(1.0 / 3);

        _now += Ms(10);
        pacer.StepDone();
        _now += Ms(5);
        pacer.StepDone();

        Assert.That(_sleeps.Select(s => s.TotalMilliseconds), Is.EqualTo(new[] { 20.0, 10.0 }).Within(1e-6));
    }

    [Test]
    public void StepDone_StepsShorterThanTheTimer_AddUpToOneSleep()
    {
        var pacer = NewPacer(0.5);

        for (var i = 0; i < 9; i++)
        {
            _now += Ms(0.25);
            pacer.StepDone();
        }

        Assert.That(_sleeps.Select(s => s.TotalMilliseconds), Is.EqualTo(new[] { 1.0, 1.0 }).Within(1e-6), "2.25 ms of work owes 2.25 ms of rest: two whole sleeps so far");
    }

    [Test]
    public void StepDone_Oversleeping_CountsAsRestTaken()
    {
        var pacer = NewPacer(0.5, oversleep: Ms(10));

        _now += Ms(4);
        pacer.StepDone(); // sleeps 4 ms, wakes 10 ms late: 10 ms of rest in hand
        for (var i = 0; i < 4; i++)
        {
            _now += Ms(2);
            pacer.StepDone();
        }
        _now += Ms(4);
        pacer.StepDone();

        Assert.That(_sleeps.Select(s => s.TotalMilliseconds), Is.EqualTo(new[] { 4.0, 2.0 }).Within(1e-6));
        var work = 4 + (4 * 2) + 4;
        Assert.That(work / _now.TotalMilliseconds, Is.LessThanOrEqualTo(0.5), "over the whole job the share holds");
    }

    [Test]
    public void StepDone_WholeShare_NeverSleeps()
    {
        var pacer = NewPacer(1);

        _now += Ms(100);
        pacer.StepDone();

        Assert.That(_sleeps, Is.Empty);
    }

    [TestCase(0.0)]
    [TestCase(-0.5)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void Constructor_ShareOutsideZeroToOne_Throws(double share) =>
        Assert.That(() => new Pacer(share), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void GiveWayWhile_Busy_PollsUntilFree_AndTheWaitIsNeitherWorkNorRest()
    {
        var pacer = NewPacer(0.5);
        var polls = 0;

        _now += Ms(0.5); // owes 0.5 ms: not yet worth a sleep
        pacer.GiveWayWhile(() => polls++ < 3);
        var waited = _sleeps.ToList();
        _sleeps.Clear();
        _now += Ms(4);
        pacer.StepDone();

        Assert.That(waited, Is.EqualTo(Enumerable.Repeat(Pacer.GiveWayPoll, 3)), "busy for three looks");
        Assert.That(_sleeps.Select(s => s.TotalMilliseconds), Is.EqualTo(new[] { 4.0 }).Within(1e-6), "the next step owes its own rest only: the 30 ms waited were no rest taken in advance");
    }

    [Test]
    public void GiveWayWhile_NotBusy_EndsTheStepAsStepDoneDoes()
    {
        var pacer = NewPacer(0.5);

        _now += Ms(4);
        pacer.GiveWayWhile(() => false);

        Assert.That(_sleeps.Select(s => s.TotalMilliseconds), Is.EqualTo(new[] { 4.0 }).Within(1e-6));
    }
}
