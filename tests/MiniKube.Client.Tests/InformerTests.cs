using System.Threading.Channels;
using MiniKube.Api;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MiniKube.Client.Tests;

[TestFixture]
public sealed class InformerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private FakeListWatch<V1Pod> _source = null!;
    private Channel<ObjectChange<V1Pod>> _changes = null!;
    private Channel<string> _keys = null!;
    private CancellationTokenSource _stop = null!;
    private Task _run = Task.CompletedTask;

    [SetUp]
    public void SetUp()
    {
        _source = new FakeListWatch<V1Pod>();
        _changes = Channel.CreateUnbounded<ObjectChange<V1Pod>>();
        _keys = Channel.CreateUnbounded<string>();
        _stop = new CancellationTokenSource();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(Timeout);
        _stop.Dispose();
    }

    [Test]
    public async Task RunAsync_ListThenWatch_HandlersSeeAddUpdateDeleteWithOldAndNew()
    {
        _source.Items = [Pods.Make("a", "1")];
        var informer = Start();
        await informer.Synced.WaitAsync(Timeout);
        var listed = await NextAsync();
        Assert.That(listed.IsAdd && listed.Key == "default/a", Is.True);

        var watch = await _source.NextWatchAsync();
        Assert.That(watch.FromVersion, Is.EqualTo("1"));
        var a2 = Pods.Make("a", "2", node: "n1");
        watch.Send(WatchEventType.Modified, a2);
        var updated = await NextAsync();
        Assert.Multiple(() =>
        {
            Assert.That(updated.Old!.Metadata.ResourceVersion, Is.EqualTo("1"));
            Assert.That(updated.New, Is.SameAs(a2));
            Assert.That(updated.IsAdd || updated.IsDelete || updated.IsResync, Is.False);
        });

        // The DELETED event's object is the final state: it names the owner a controller must requeue.
        var final = Pods.Make("a", "3", owner: "rs1");
        watch.Send(WatchEventType.Deleted, final);
        var deleted = await NextAsync();
        Assert.Multiple(() =>
        {
            Assert.That(deleted.IsDelete, Is.True);
            Assert.That(deleted.Old, Is.SameAs(final));
            Assert.That(informer.Get("default/a"), Is.Null);
        });
        Assert.That(await NextKeysAsync(3), Is.EqualTo(new[] { "default/a", "default/a", "default/a" }));
    }

    [Test]
    public async Task RunAsync_WatchFailsWith410_RelistsAndReportsObjectsGoneMeanwhile()
    {
        _source.Items = [Pods.Make("a", "1"), Pods.Make("b", "1")];
        _source.ResourceVersion = "10";
        var informer = Start();
        await NextAsync();
        await NextAsync();

        _source.Items = [Pods.Make("a", "1"), Pods.Make("c", "20")];
        _source.ResourceVersion = "20";
        var first = await _source.NextWatchAsync();
        first.Fail(new KubernetesException(new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version" }));

        var second = await _source.NextWatchAsync();
        Assert.That(second.FromVersion, Is.EqualTo("20"), "watches again from the new list's version");
        Assert.That(_source.ListCalls, Is.EqualTo(2));
        var changes = new[] { await NextAsync(), await NextAsync() };
        Assert.Multiple(() =>
        {
            Assert.That(changes.Single(c => c.IsAdd).Key, Is.EqualTo("default/c"));
            var gone = changes.Single(c => c.IsDelete);
            Assert.That(gone.Key, Is.EqualTo("default/b"));
            Assert.That(gone.Old!.Metadata.Name, Is.EqualTo("b"), "the last state seen");
            Assert.That(informer.Keys, Is.EquivalentTo(new[] { "default/a", "default/c" }));
            Assert.That(_changes.Reader.TryRead(out _), Is.False, "an unchanged object is not re-delivered");
        });
    }

    [Test]
    public async Task RunAsync_StreamEndsCleanly_WatchesAgainFromLastVersionWithoutListing()
    {
        Start();
        var first = await _source.NextWatchAsync();
        first.Send(WatchEventType.Added, Pods.Make("a", "5"));
        first.Send(WatchEventType.Bookmark, new V1Pod { Metadata = new V1ObjectMeta { ResourceVersion = "7" } });
        first.End();

        var second = await _source.NextWatchAsync();
        Assert.Multiple(() =>
        {
            Assert.That(second.FromVersion, Is.EqualTo("7"));
            Assert.That(_source.ListCalls, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_ResyncPeriodPasses_RedeliversEveryCachedObject()
    {
        var time = new FakeTimeProvider();
        _source.Items = [Pods.Make("a", "1"), Pods.Make("b", "1")];
        var informer = Start(TimeSpan.FromMinutes(1), time);
        await informer.Synced.WaitAsync(Timeout);
        await NextAsync();
        await NextAsync();
        await NextKeysAsync(2);

        time.Advance(TimeSpan.FromMinutes(1));
        var resynced = await NextAsync();
        var second = await NextAsync();
        Assert.Multiple(() =>
        {
            Assert.That(resynced.IsResync && second.IsResync, Is.True);
            Assert.That(new[] { resynced.Key, second.Key }, Is.EquivalentTo(new[] { "default/a", "default/b" }));
        });
        Assert.That(await NextKeysAsync(2), Is.EquivalentTo(new[] { "default/a", "default/b" }));
    }

    [Test]
    public async Task AddHandler_AfterSync_ReplaysCachedObjectsAsAdds()
    {
        _source.Items = [Pods.Make("a", "1")];
        var informer = Start();
        await informer.Synced.WaitAsync(Timeout);
        var late = new List<ObjectChange<V1Pod>>();
        using (informer.AddHandler(late.Add))
        {
            Assert.That(late.Single().IsAdd && late.Single().Key == "default/a", Is.True);
        }
    }

    [Test]
    public async Task Cache_Indexes_FollowUpdatesAndDeletes()
    {
        var informer = Start();
        informer.Cache.AddIndex(CacheIndexes.PodsByNodeName, CacheIndexes.NodeNameOf);
        informer.Cache.AddIndex(CacheIndexes.ByOwnerUid, CacheIndexes.OwnerUidsOf);
        var watch = await _source.NextWatchAsync();
        watch.Send(WatchEventType.Added, Pods.Make("a", "2", node: "n1", labels: new Dictionary<string, string> { ["app"] = "web" }, owner: "rs1"));
        watch.Send(WatchEventType.Added, Pods.Make("b", "3", ns: "other", node: "n1"));
        watch.Send(WatchEventType.Modified, Pods.Make("a", "4", node: "n2", labels: new Dictionary<string, string> { ["app"] = "web" }, owner: "rs1"));
        await NextAsync();
        await NextAsync();
        await NextAsync();

        var web = LabelSelector.FromSet(new Dictionary<string, string> { ["app"] = "web" });
        Assert.Multiple(() =>
        {
            Assert.That(informer.Cache.ByIndex(CacheIndexes.PodsByNodeName, "n1").Select(p => p.Metadata.Name), Is.EqualTo(new[] { "b" }));
            Assert.That(informer.Cache.ByIndex(CacheIndexes.PodsByNodeName, "n2").Select(p => p.Metadata.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(informer.Cache.ByIndex(CacheIndexes.ByOwnerUid, "uid-rs1").Select(p => p.Metadata.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(informer.Cache.ListNamespace("other").Select(p => p.Metadata.Name), Is.EqualTo(new[] { "b" }));
            Assert.That(informer.Cache.ListNamespace("default", web).Select(p => p.Metadata.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(informer.Cache.List(web), Has.Count.EqualTo(1));
            Assert.That(informer.Cache.Get("other", "b"), Is.Not.Null);
        });

        watch.Send(WatchEventType.Deleted, Pods.Make("a", "5", node: "n2", owner: "rs1"));
        await NextAsync();
        Assert.Multiple(() =>
        {
            Assert.That(informer.Cache.ByIndex(CacheIndexes.PodsByNodeName, "n2"), Is.Empty);
            Assert.That(informer.Cache.ByIndex(CacheIndexes.ByOwnerUid, "uid-rs1"), Is.Empty);
            Assert.That(informer.Cache.ListNamespace("default"), Is.Empty);
        });
    }

    [Test]
    public void ObjectCopy_Clone_IsDeepAndEqual()
    {
        var pod = Pods.Make("a", "1", labels: new Dictionary<string, string> { ["app"] = "web" }, owner: "rs1");
        var copy = ObjectCopy.Clone(pod);
        copy.Metadata.Labels["app"] = "changed";
        Assert.Multiple(() =>
        {
            Assert.That(pod.Metadata.Labels["app"], Is.EqualTo("web"));
            Assert.That(copy.Metadata.OwnerReferences[0].Uid, Is.EqualTo("uid-rs1"));
        });
    }

    private Informer<V1Pod> Start(TimeSpan resync = default, TimeProvider? time = null)
    {
        var informer = new Informer<V1Pod>(_source, NullLogger.Instance, resync, time);
        informer.Changed += key => _keys.Writer.TryWrite(key);
        informer.AddHandler(change => _changes.Writer.TryWrite(change));
        _run = informer.RunAsync(_stop.Token);
        return informer;
    }

    private async Task<ObjectChange<V1Pod>> NextAsync() => await _changes.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    private async Task<string[]> NextKeysAsync(int count)
    {
        var keys = new string[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = await _keys.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        }
        return keys;
    }
}
