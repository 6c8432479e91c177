using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class InterPodAffinityFilterTests
{
    private const string Hostname = "kubernetes.io/hostname";
    private SchedulerCache _cache = null!;

    [SetUp]
    public void SetUp()
    {
        _cache = new SchedulerCache();
        _cache.UpsertNode(Node("n1"));
        _cache.UpsertNode(Node("n2"));
    }

    [Test]
    public void AntiAffinity_OnHostname_KeepsApartFromMatchingPods()
    {
        Bind(Pod("web-1", labels: Labels("app", "web")), "n1");
        var pod = PodInfo.From(WithAntiAffinity(Pod("web-2", labels: Labels("app", "web")), "app", "web"));

        var filter = InterPodAffinityFilter.For(pod, _cache)!;

        Assert.That(filter.Check(_cache.Node("n1")!)!.Reasons, Is.EqualTo(new[] { "node(s) didn't match pod anti-affinity rules" }));
        Assert.That(filter.Check(_cache.Node("n2")!), Is.Null);
    }

    [Test]
    public void ExistingAntiAffinity_RejectsAPodThePlacedPodRefuses()
    {
        Bind(WithAntiAffinity(Pod("db-1", labels: Labels("app", "db")), "app", "web"), "n2");
        var pod = PodInfo.From(Pod("web-1", labels: Labels("app", "web")));

        var filter = InterPodAffinityFilter.For(pod, _cache)!;

        Assert.That(filter.Check(_cache.Node("n2")!)!.Reasons, Is.EqualTo(new[] { "node(s) didn't satisfy existing pods anti-affinity rules" }));
        Assert.That(filter.Check(_cache.Node("n1")!), Is.Null);
    }

    [Test]
    public void Affinity_FollowsTheMatchingPod()
    {
        Bind(Pod("cache-1", labels: Labels("app", "cache")), "n2");
        var pod = PodInfo.From(WithAffinity(Pod("web-1", labels: Labels("app", "web")), "app", "cache"));

        var filter = InterPodAffinityFilter.For(pod, _cache)!;

        var failure = filter.Check(_cache.Node("n1")!);
        Assert.That(failure!.Reasons, Is.EqualTo(new[] { "node(s) didn't match pod affinity rules" }));
        Assert.That(failure.PodAffinity, Is.True);
        Assert.That(filter.Check(_cache.Node("n2")!), Is.Null);
    }

    [Test]
    public void Affinity_FirstOfAGroupMatchingItsOwnTerm_GoesAnywhere()
    {
        var pod = PodInfo.From(WithAffinity(Pod("web-1", labels: Labels("app", "web")), "app", "web"));

        var filter = InterPodAffinityFilter.For(pod, _cache)!;

        Assert.That(filter.Check(_cache.Node("n1")!), Is.Null);
        Assert.That(filter.Check(_cache.Node("n2")!), Is.Null);
    }

    [Test]
    public void For_NoTermsAnywhere_IsNull()
    {
        Bind(Pod("a"), "n1");

        Assert.That(InterPodAffinityFilter.For(PodInfo.From(Pod("b")), _cache), Is.Null);
    }

    private void Bind(V1Pod pod, string node)
    {
        pod.Spec.NodeName = node;
        _cache.AddOrUpdateBound(PodInfo.From(pod));
    }

    private static Dictionary<string, string> Labels(string key, string value) => new() { [key] = value };

    private static V1PodAffinityTerm Term(string key, string value) => new()
    {
        LabelSelector = new V1LabelSelector { MatchLabels = Labels(key, value) },
        TopologyKey = Hostname,
    };

    private static V1Pod WithAntiAffinity(V1Pod pod, string key, string value)
    {
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term(key, value)] } };
        return pod;
    }

    private static V1Pod WithAffinity(V1Pod pod, string key, string value)
    {
        pod.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term(key, value)] } };
        return pod;
    }
}
