using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiniKube.Hosting;
using MiniKube.Testing;

namespace MiniKube.Tests.Hosting;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ComponentRunnerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Journal _journal = new();
    private readonly CollectingLoggerProvider _logs = new();

    public void Dispose() => _logs.Dispose();

    private IHost BuildHost(params ScriptedComponent[] components)
    {
        var builder = HostingExtensions.CreateBuilder();
        builder.Logging.ClearProviders().AddProvider(_logs);
        builder.Services.AddComponentRunner();
        foreach (var component in components)
        {
            builder.Services.AddComponent(_ => component);
        }
        return builder.Build();
    }

    private ScriptedComponent Component(string name, bool readyAtOnce = true, bool returnsEarly = false) =>
        new(name, _journal) { ReadyAtOnce = readyAtOnce, ReturnsEarly = returnsEarly };

    [Test]
    public async Task Start_NextComponentWaitsForPreviousReadiness()
    {
        var store = Component("store", readyAtOnce: false);
        var api = Component("apiserver");
        using var host = BuildHost(store, api);

        await host.StartAsync();
        await store.Started.Task.WaitAsync(Patience);
        await Task.Delay(100); // give a wrongly eager runner the chance to start the next one

        Assert.That(api.Started.Task.IsCompleted, Is.False, "apiserver must not start before the store is ready");
        store.BecomeReady();
        await api.Started.Task.WaitAsync(Patience);
        Assert.That(_journal.Entries, Is.EqualTo(new[] { "start:store", "start:apiserver" }));
        await host.StopAsync();
    }

    [Test]
    public async Task Stop_StopsComponentsInReverseOrderAndExitsZero()
    {
        var a = Component("a");
        var b = Component("b");
        var c = Component("c");
        using var host = BuildHost(a, b, c);
        var run = host.RunToExitCodeAsync();
        await c.Started.Task.WaitAsync(Patience);

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        Assert.That(await run.WaitAsync(Patience), Is.Zero);
        Assert.That(_journal.Entries, Is.EqualTo(new[] { "start:a", "start:b", "start:c", "stop:c", "stop:b", "stop:a" }));
    }

    [Test]
    public async Task Failure_OneComponentFails_StopsTheOthersAndExitsNonZero()
    {
        var a = Component("a");
        var b = Component("b");
        var c = Component("c");
        using var host = BuildHost(a, b, c);
        var run = host.RunToExitCodeAsync();
        await c.Started.Task.WaitAsync(Patience);

        b.Fail("disk full");

        Assert.That(await run.WaitAsync(Patience), Is.EqualTo(1));
        Assert.That(_journal.Entries, Is.EqualTo(new[] { "start:a", "start:b", "start:c", "stop:c", "stop:a" }));
        var errors = _logs.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.Message).ToList();
        Assert.That(errors, Is.EqualTo(new[] { "b failed: disk full; stopping mkube" }), "exactly one clear line");
    }

    [Test]
    public async Task Failure_BeforeReady_LaterComponentsNeverStart()
    {
        var a = Component("a");
        var b = Component("b", readyAtOnce: false);
        var c = Component("c");
        using var host = BuildHost(a, b, c);
        var run = host.RunToExitCodeAsync();
        await b.Started.Task.WaitAsync(Patience);

        b.Fail("cannot open the data dir");

        Assert.That(await run.WaitAsync(Patience), Is.EqualTo(1));
        Assert.That(c.Started.Task.IsCompleted, Is.False);
        Assert.That(_journal.Entries, Is.EqualTo(new[] { "start:a", "start:b", "stop:a" }));
    }

    [Test]
    public async Task Failure_ComponentReturnsWithoutBeingAsked_CountsAsFailure()
    {
        var a = Component("a");
        var b = Component("b", returnsEarly: true);
        using var host = BuildHost(a, b);

        Assert.That(await host.RunToExitCodeAsync().WaitAsync(Patience), Is.EqualTo(1));
        Assert.That(_logs.Lines.Select(l => l.Message), Has.Some.Contains("b failed: it exited without being asked to stop"));
    }

    [Test]
    public async Task Stop_DuringStartup_StopsWhatStartedAndExitsZero()
    {
        var a = Component("a");
        var b = Component("b", readyAtOnce: false);
        var c = Component("c");
        using var host = BuildHost(a, b, c);
        var run = host.RunToExitCodeAsync();
        await b.Started.Task.WaitAsync(Patience);

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        Assert.That(await run.WaitAsync(Patience), Is.Zero);
        Assert.That(c.Started.Task.IsCompleted, Is.False);
        Assert.That(_journal.Entries, Is.EqualTo(new[] { "start:a", "start:b", "stop:b", "stop:a" }));
    }
}
