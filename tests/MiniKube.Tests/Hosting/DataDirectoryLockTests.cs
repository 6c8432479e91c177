using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

[TestFixture]
public sealed class DataDirectoryLockTests
{
    private string _dataDir = null!;

    [SetUp]
    public void SetUp() => _dataDir = Directory.CreateTempSubdirectory("mkube-data-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    private DataDirectoryLock Lock() => new(_dataDir, "server", NullLogger<DataDirectoryLock>.Instance);

    [Test]
    public async Task RunAsync_FreshDirectory_CreatesOwnerOnlyRoleDirectoryAndBecomesReady()
    {
        using var stop = new CancellationTokenSource();
        var ready = new ReadySignal();
        var run = Lock().RunAsync(ready, stop.Token);

        await ready.WaitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        var mode = File.GetUnixFileMode(Path.Combine(_dataDir, "server"));
        Assert.That(mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        await stop.CancelAsync();
        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task RunAsync_DirectoryAlreadyLocked_FailsNamingTheDirectory()
    {
        using var stop = new CancellationTokenSource();
        var first = new ReadySignal();
        var holder = Lock().RunAsync(first, stop.Token);
        await first.WaitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        var second = new ReadySignal();
        var error = Assert.ThrowsAsync<IOException>(() => Lock().RunAsync(second, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("in use by another mkube process").And.Contain(_dataDir));
        Assert.That(second.IsSet, Is.False);
        await stop.CancelAsync();
        Assert.That(async () => await holder, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task RunAsync_AfterHolderStops_LockCanBeTakenAgain()
    {
        using (var stop = new CancellationTokenSource())
        {
            var ready = new ReadySignal();
            var run = Lock().RunAsync(ready, stop.Token);
            await ready.WaitAsync(CancellationToken.None);
            await stop.CancelAsync();
            Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
        }

        using var again = new CancellationTokenSource();
        var readyAgain = new ReadySignal();
        var second = Lock().RunAsync(readyAgain, again.Token);
        await readyAgain.WaitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        await again.CancelAsync();
        Assert.That(async () => await second, Throws.InstanceOf<OperationCanceledException>());
    }
}
