using k8s.Models;

namespace MiniKube.Api.Tests;

public class QuotaEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static V1Container Container(string name, string? cpuRequest = null, string? cpuLimit = null, string? memory = null, string? restartPolicy = null) => new()
    {
        Name = name,
        RestartPolicy = restartPolicy,
        Resources = new V1ResourceRequirements
        {
            Requests = Resources(("cpu", cpuRequest), ("memory", memory)),
            Limits = Resources(("cpu", cpuLimit)),
        },
    };

    private static Dictionary<string, ResourceQuantity>? Resources(params (string Name, string? Amount)[] items) =>
        items.Any(i => i.Amount is not null) ? items.Where(i => i.Amount is not null).ToDictionary(i => i.Name, i => new ResourceQuantity(i.Amount!)) : null;

    private static V1Pod Pod(V1Container[] containers, V1Container[]? init = null, string phase = "Pending") => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Spec = new V1PodSpec { Containers = containers, InitContainers = init },
        Status = new V1PodStatus { Phase = phase },
    };

    [Test]
    public void PodUsage_ContainersAddUp_InitContainersAreAMaximum_SidecarsAdd()
    {
        var pod = Pod(
            [Container("a", cpuRequest: "100m", cpuLimit: "200m", memory: "64Mi"), Container("b", cpuRequest: "300m")],
            [Container("init", cpuRequest: "1"), Container("sidecar", cpuRequest: "50m", restartPolicy: "Always")]);

        var usage = PodQuotaEvaluator.Instance.Usage(pod, Now);

        Assert.That(usage.ToString(), Is.EqualTo("count/pods=1,cpu=1,limits.cpu=200m,memory=64Mi,pods=1,requests.cpu=1,requests.memory=64Mi"),
            "the init container (1 cpu, before the sidecar starts) outweighs containers plus sidecar (450m)");
    }

    [Test]
    public void PodUsage_AddsTheOverheadToRequests_AndToLimitsThatAreSet()
    {
        var pod = Pod([Container("a", cpuRequest: "100m", cpuLimit: "200m", memory: "64Mi")]);
        pod.Spec.Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("1Mi") };

        Assert.That(PodQuotaEvaluator.Instance.Usage(pod, Now).ToString(),
            Is.EqualTo("count/pods=1,cpu=110m,limits.cpu=210m,memory=65Mi,pods=1,requests.cpu=110m,requests.memory=65Mi"));
    }

    [Test]
    public void PodUsage_Terminal_OnlyTheObjectCount() =>
        Assert.That(PodQuotaEvaluator.Instance.Usage(Pod([Container("a", cpuRequest: "1")], phase: "Succeeded"), Now).ToString(), Is.EqualTo("count/pods=1"));

    [Test]
    public void PodConstraints_QuotaOnCpuAndMemory_NamesContainersWithoutThem()
    {
        var pod = Pod([Container("a", cpuRequest: "1", memory: "1Gi"), Container("b"), Container("c", cpuLimit: "1")]);

        var failure = PodQuotaEvaluator.Instance.Constraints(["limits.cpu", "requests.memory", "pods"], pod);

        Assert.That(failure, Is.EqualTo("must specify limits.cpu for: a,b; requests.memory for: b,c"));
    }

    [Test]
    public void PodScopes_BestEffortTerminatingAndPriorityClass()
    {
        var bestEffort = Pod([Container("a")]);
        bestEffort.Spec.ActiveDeadlineSeconds = 30;
        bestEffort.Spec.PriorityClassName = "high";
        var burstable = Pod([Container("a", cpuRequest: "1")]);
        static V1ScopedResourceSelectorRequirement Scope(string name, string op = "Exists", params string[] values) =>
            new() { ScopeName = name, OperatorProperty = op, Values = values.Length == 0 ? null : values };
        var evaluator = PodQuotaEvaluator.Instance;

        Assert.Multiple(() =>
        {
            Assert.That((evaluator.MatchesScope(Scope("BestEffort"), bestEffort), evaluator.MatchesScope(Scope("BestEffort"), burstable)), Is.EqualTo((true, false)));
            Assert.That((evaluator.MatchesScope(Scope("Terminating"), bestEffort), evaluator.MatchesScope(Scope("NotTerminating"), burstable)), Is.EqualTo((true, true)));
            Assert.That(evaluator.MatchesScope(Scope("PriorityClass", "In", "high", "low"), bestEffort), Is.True);
            Assert.That(evaluator.MatchesScope(Scope("PriorityClass", "NotIn", "high"), bestEffort), Is.False);
            Assert.That(evaluator.MatchesScope(Scope("PriorityClass", "DoesNotExist"), burstable), Is.True);
        });
    }

    [Test]
    public void ServiceUsage_LoadBalancerCountsItsNodePorts()
    {
        var service = new V1Service { Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }, new V1ServicePort { Port = 443 }] } };

        Assert.That(ServiceQuotaEvaluator.Instance.Usage(service, Now).ToString(),
            Is.EqualTo("count/services=1,services=1,services.loadbalancers=1,services.nodeports=2"));
    }

    [Test]
    public void ClaimUsage_ChargedPerStorageClassToo()
    {
        var claim = new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "c" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                StorageClassName = "fast",
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("5Gi") } },
            },
        };
        var evaluator = PersistentVolumeClaimQuotaEvaluator.Instance;

        Assert.Multiple(() =>
        {
            Assert.That(evaluator.Usage(claim, Now).ToString(), Is.EqualTo(
                "count/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/requests.storage=5Gi,persistentvolumeclaims=1,requests.storage=5Gi"));
            Assert.That(evaluator.Tracks("gold.storageclass.storage.k8s.io/requests.storage"), Is.True);
            Assert.That(evaluator.Tracks("requests.cpu"), Is.False);
        });
    }

    [Test]
    public void For_OtherResources_CountObjectsUnderTheirGroupName()
    {
        var deployments = QuotaEvaluator.For("apps", "deployments");
        var configMaps = QuotaEvaluator.For("", "configmaps");

        Assert.Multiple(() =>
        {
            Assert.That(deployments.Usage(null, Now).ToString(), Is.EqualTo("count/deployments.apps=1"));
            Assert.That(configMaps.Usage(null, Now).ToString(), Is.EqualTo("configmaps=1,count/configmaps=1"));
            Assert.That(deployments.MatchingResources(["count/deployments.apps", "pods"]), Is.EqualTo(new[] { "count/deployments.apps" }));
        });
    }

    [Test]
    public void Matches_NeedsStatusHardAndEveryScope()
    {
        var quota = new V1ResourceQuota
        {
            Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("1") }, Scopes = ["BestEffort"] },
        };
        var pod = Pod([Container("a")]);

        Assert.That(PodQuotaEvaluator.Instance.Matches(quota, pod), Is.False, "no status.hard yet: the controller has not taken the quota in");
        quota.Status = new V1ResourceQuotaStatus { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("1") } };
        Assert.That(PodQuotaEvaluator.Instance.Matches(quota, pod), Is.True);
        Assert.That(QuotaEvaluator.For("", "configmaps").Matches(quota, null), Is.False, "a scoped quota matches no plain count");
    }
}
