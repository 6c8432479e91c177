using k8s.Models;
using MiniKube.ApiServer.AdmissionPlugins;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>LimitRanger's min, max and ratio rules and their messages, word for word as upstream.</summary>
public sealed class LimitRangeChecksTests
{
    private static Dictionary<string, ResourceQuantity> List(params (string Name, string Amount)[] items) => items.ToDictionary(i => i.Name, i => new ResourceQuantity(i.Amount));

    private static V1LimitRange Range(V1LimitRangeItem item) => new() { Spec = new V1LimitRangeSpec { Limits = [item] } };

    private static V1Pod Pod(params V1Container[] containers) => new() { Spec = new V1PodSpec { Containers = containers } };

    private static V1Container Container(Dictionary<string, ResourceQuantity>? requests, Dictionary<string, ResourceQuantity>? limits) =>
        new() { Name = "c", Resources = new V1ResourceRequirements { Requests = requests, Limits = limits } };

    [Test]
    public void Container_MissingRequestAndLimit_SayNoneIsSpecified()
    {
        var range = Range(new V1LimitRangeItem { Type = "Container", Min = List(("memory", "64Mi")), Max = List(("cpu", "2")) });

        var errors = LimitRangeChecks.Pod(range, Pod(Container(null, null)));

        Assert.That(errors, Is.EqualTo(new[]
        {
            "minimum memory usage per Container is 64Mi.  No request is specified",
            "maximum cpu usage per Container is 2.  No limit is specified",
        }));
    }

    [Test]
    public void Container_Ratio_ShowsTheProvidedRatio()
    {
        var range = Range(new V1LimitRangeItem { Type = "Container", MaxLimitRequestRatio = List(("cpu", "2")) });

        var errors = LimitRangeChecks.Pod(range, Pod(Container(List(("cpu", "100m")), List(("cpu", "500m")))));

        Assert.That(errors, Is.EqualTo(new[] { "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000" }));
    }

    [Test]
    public void Pod_SumsItsContainers()
    {
        var range = Range(new V1LimitRangeItem { Type = "Pod", Max = List(("cpu", "1")) });

        var errors = LimitRangeChecks.Pod(range, Pod(Container(List(("cpu", "400m")), List(("cpu", "600m"))), Container(List(("cpu", "400m")), List(("cpu", "600m")))));

        Assert.That(errors, Is.EqualTo(new[] { "maximum cpu usage per Pod is 1, but limit is 1200m" }));
    }

    [Test]
    public void Pod_OverheadIsLeftOut()
    {
        var range = Range(new V1LimitRangeItem { Type = "Pod", Max = List(("cpu", "1")) });
        var pod = Pod(Container(List(("cpu", "500m")), List(("cpu", "1"))));
        pod.Spec.Overhead = List(("cpu", "250m"));

        Assert.That(LimitRangeChecks.Pod(range, pod), Is.Empty, "upstream's podRequests/podLimits exclude the overhead");
    }

    [Test]
    public void Claim_MaxIsAgainstTheRequest()
    {
        var range = Range(new V1LimitRangeItem { Type = "PersistentVolumeClaim", Min = List(("storage", "1Gi")), Max = List(("storage", "10Gi")) });
        var claim = new V1PersistentVolumeClaim
        {
            Spec = new V1PersistentVolumeClaimSpec { Resources = new V1VolumeResourceRequirements { Requests = List(("storage", "20Gi")) } },
        };

        Assert.That(LimitRangeChecks.Claim(range, claim), Is.EqualTo(new[] { "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi" }));
    }

    [Test]
    public void Aggregate_OneOrSeveral() =>
        Assert.That((LimitRanger.Aggregate(["a"]), LimitRanger.Aggregate(["a", "b"])), Is.EqualTo(("a", "[a, b]")));
}
