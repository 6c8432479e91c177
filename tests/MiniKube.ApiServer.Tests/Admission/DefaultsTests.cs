using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

public class DefaultsTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static ResourceType Type(string group, string kind) => ResourceCatalog.FindKind(group, kind)!;

    // Scheme defaults, as the registry applies them on every write (the kind's strategy).
    private static void Apply(ResourceType type, JsonObject obj) => type.Strategy.ApplyDefaults(obj);

    // Defaults plus the one-time changes of a create, as the registry applies them.
    private static void ApplyOnCreate(ResourceType type, JsonObject obj)
    {
        type.Strategy.ApplyDefaults(obj);
        type.Strategy.PrepareForCreate(obj);
    }

    private const string Template = """{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""";

    [Test]
    public void Apply_Deployment_FillsWhatKubeApiServerShows()
    {
        var deployment = Parse($$$"""{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{{{Template}}}}}""");

        Apply(Type("apps", "Deployment"), deployment);

        var spec = deployment["spec"]!;
        Assert.That(spec["replicas"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(spec["revisionHistoryLimit"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(spec["progressDeadlineSeconds"]!.GetValue<int>(), Is.EqualTo(600));
        Assert.That(spec["strategy"]!.ToJsonString(), Is.EqualTo("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}"""));
        var podSpec = spec["template"]!["spec"]!;
        Assert.That(podSpec["restartPolicy"]!.GetValue<string>(), Is.EqualTo("Always"));
        Assert.That(podSpec["dnsPolicy"]!.GetValue<string>(), Is.EqualTo("ClusterFirst"));
        Assert.That(podSpec["schedulerName"]!.GetValue<string>(), Is.EqualTo("default-scheduler"));
        Assert.That(podSpec["terminationGracePeriodSeconds"]!.GetValue<int>(), Is.EqualTo(30));
        Assert.That(podSpec["securityContext"]!.ToJsonString(), Is.EqualTo("{}"));
        var container = podSpec["containers"]![0]!;
        Assert.That(container["imagePullPolicy"]!.GetValue<string>(), Is.EqualTo("Always"));
        Assert.That(container["terminationMessagePath"]!.GetValue<string>(), Is.EqualTo("/dev/termination-log"));
        Assert.That(container["terminationMessagePolicy"]!.GetValue<string>(), Is.EqualTo("File"));
        Assert.That(container["resources"]!.ToJsonString(), Is.EqualTo("{}"));
        // Pod-only defaults stay off templates.
        Assert.That(podSpec.AsObject().ContainsKey("enableServiceLinks"), Is.False);
        Assert.That(podSpec.AsObject().ContainsKey("serviceAccountName"), Is.False);
    }

    [Test]
    public void Apply_Twice_ChangesNothingMore()
    {
        var deployment = Parse($$$"""{"metadata":{"name":"web"},"spec":{"template":{{{Template}}}}}""");
        Apply(Type("apps", "Deployment"), deployment);
        var once = deployment.ToJsonString();

        Apply(Type("apps", "Deployment"), deployment);

        Assert.That(deployment.ToJsonString(), Is.EqualTo(once));
    }

    [Test]
    public void Apply_DeploymentRecreate_AddsNoRollingUpdate()
    {
        var deployment = Parse($$$"""{"spec":{"strategy":{"type":"Recreate"},"template":{{{Template}}}}}""");
        Apply(Type("apps", "Deployment"), deployment);
        Assert.That(deployment["spec"]!["strategy"]!.ToJsonString(), Is.EqualTo("""{"type":"Recreate"}"""));
    }

    [TestCase("nginx", "Always")]
    [TestCase("nginx:latest", "Always")]
    [TestCase("nginx:1.27", "IfNotPresent")]
    [TestCase("localhost:5000/app", "Always")]
    [TestCase("localhost:5000/app:v1", "IfNotPresent")]
    [TestCase("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [TestCase("", "IfNotPresent")]
    public void Apply_ImagePullPolicy_FollowsTag(string image, string expected)
    {
        var pod = Parse("""{"spec":{"containers":[{"name":"c"}]}}""");
        pod["spec"]!["containers"]![0]!["image"] = image;

        Apply(Type("", "Pod"), pod);

        Assert.That(pod["spec"]!["containers"]![0]!["imagePullPolicy"]!.GetValue<string>(), Is.EqualTo(expected));
    }

    [Test]
    public void Apply_PodParts_GetTheirDefaults()
    {
        var pod = Parse("""
        {"spec":{"containers":[{"name":"c","image":"busybox:1.36","ports":[{"containerPort":80}],
          "livenessProbe":{"httpGet":{"port":80}},
          "env":[{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}],
          "resources":{"limits":{"cpu":"1"}}}],
          "volumes":[{"name":"a"},{"name":"b","configMap":{"name":"cm"}},{"name":"c","secret":{"secretName":"s"}},{"name":"d","hostPath":{"path":"/x"}}]}}
        """);

        Apply(Type("", "Pod"), pod);

        var spec = pod["spec"]!;
        var container = spec["containers"]![0]!;
        Assert.That(container["ports"]![0]!["protocol"]!.GetValue<string>(), Is.EqualTo("TCP"));
        Assert.That(container["livenessProbe"]!.ToJsonString(), Is.EqualTo(
            """{"httpGet":{"port":80,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}"""));
        Assert.That(container["env"]![0]!["valueFrom"]!["fieldRef"]!["apiVersion"]!.GetValue<string>(), Is.EqualTo("v1"));
        Assert.That(container["resources"]!["requests"]!["cpu"]!.GetValue<string>(), Is.EqualTo("1"), "a pod's requests default to its limits");
        Assert.That(spec["enableServiceLinks"]!.GetValue<bool>(), Is.True);
        Assert.That(spec["volumes"]![0]!["emptyDir"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(spec["volumes"]![1]!["configMap"]!["defaultMode"]!.GetValue<int>(), Is.EqualTo(420));
        Assert.That(spec["volumes"]![2]!["secret"]!["defaultMode"]!.GetValue<int>(), Is.EqualTo(420));
        Assert.That(spec["volumes"]![3]!["hostPath"]!["type"]!.GetValue<string>(), Is.EqualTo(""));
    }

    [Test]
    public void ApplyOnCreate_Pod_RunsTheAdmissionPlugins()
    {
        var pod = Parse("""{"metadata":{"name":"p","namespace":"default","uid":"u"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""");

        ApplyOnCreate(Type("", "Pod"), pod);

        var spec = pod["spec"]!;
        Assert.That(spec["serviceAccountName"]!.GetValue<string>(), Is.EqualTo("default"));
        Assert.That(spec["serviceAccount"]!.GetValue<string>(), Is.EqualTo("default"));
        // Priority is the Priority admission plugin's, which reads PriorityClasses (PriorityAdmissionTests).
        Assert.That(spec.AsObject().ContainsKey("priority") || spec.AsObject().ContainsKey("preemptionPolicy"), Is.False);
        Assert.That(spec["tolerations"]!.ToJsonString(), Is.EqualTo(
            """[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},""" +
            """{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]"""));
        Assert.That(pod["status"]!.ToJsonString(), Is.EqualTo("""{"phase":"Pending","qosClass":"BestEffort"}"""));
    }

    [Test]
    public void ApplyOnCreate_PodWithEqualRequestsAndLimits_IsGuaranteed()
    {
        var pod = Parse("""{"spec":{"containers":[{"name":"c","image":"nginx","resources":{"limits":{"cpu":"500m","memory":"64Mi"}}}]}}""");
        ApplyOnCreate(Type("", "Pod"), pod);
        Assert.That(pod["status"]!["qosClass"]!.GetValue<string>(), Is.EqualTo("Guaranteed"));
    }

    [Test]
    public void ApplyOnCreate_PodToleratingEverything_GetsNoExtraTolerations()
    {
        var pod = Parse("""{"spec":{"tolerations":[{"operator":"Exists"}],"containers":[{"name":"c","image":"nginx"}]}}""");
        ApplyOnCreate(Type("", "Pod"), pod);
        Assert.That(pod["spec"]!["tolerations"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public void Apply_Service_DefaultsPortsAndPolicies()
    {
        var service = Parse("""{"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""");

        Apply(Type("", "Service"), service);

        var spec = service["spec"]!;
        Assert.That(spec["type"]!.GetValue<string>(), Is.EqualTo("ClusterIP"));
        Assert.That(spec["sessionAffinity"]!.GetValue<string>(), Is.EqualTo("None"));
        Assert.That(spec["internalTrafficPolicy"]!.GetValue<string>(), Is.EqualTo("Cluster"));
        Assert.That(spec["ipFamilyPolicy"]!.GetValue<string>(), Is.EqualTo("SingleStack"));
        Assert.That(spec["ipFamilies"]!.ToJsonString(), Is.EqualTo("""["IPv4"]"""));
        Assert.That(spec["ports"]![0]!.ToJsonString(), Is.EqualTo("""{"port":80,"protocol":"TCP","targetPort":80}"""));
        Assert.That(spec.AsObject().ContainsKey("externalTrafficPolicy"), Is.False);
    }

    [Test]
    public void Apply_NodePortService_GetsExternalTrafficPolicy()
    {
        var service = Parse("""{"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":"http"}]}}""");
        Apply(Type("", "Service"), service);
        Assert.That(service["spec"]!["externalTrafficPolicy"]!.GetValue<string>(), Is.EqualTo("Cluster"));
        Assert.That(service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<string>(), Is.EqualTo("http"));
    }

    [Test]
    public void Apply_ExternalNameService_GetsNoIpFamilies()
    {
        var service = Parse("""{"spec":{"type":"ExternalName","externalName":"example.com"}}""");
        Apply(Type("", "Service"), service);
        Assert.That(service["spec"]!.AsObject().ContainsKey("ipFamilies"), Is.False);
        Assert.That(service["spec"]!.AsObject().ContainsKey("internalTrafficPolicy"), Is.False);
    }

    [Test]
    public void ApplyOnCreate_Namespace_LabelsFinalizerAndPhase()
    {
        var ns = Parse("""{"metadata":{"name":"team-a"}}""");

        ApplyOnCreate(Type("", "Namespace"), ns);

        Assert.That(ns["metadata"]!["labels"]!["kubernetes.io/metadata.name"]!.GetValue<string>(), Is.EqualTo("team-a"));
        Assert.That(ns["spec"]!["finalizers"]!.ToJsonString(), Is.EqualTo("""["kubernetes"]"""));
        Assert.That(ns["status"]!["phase"]!.GetValue<string>(), Is.EqualTo("Active"));
    }

    [Test]
    public void ApplyOnCreate_Job_GeneratesSelectorAndLabels()
    {
        var job = Parse("""{"metadata":{"name":"pi","uid":"6a6a"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}""");

        ApplyOnCreate(Type("batch", "Job"), job);

        var spec = job["spec"]!;
        Assert.That(spec["selector"]!.ToJsonString(), Is.EqualTo("""{"matchLabels":{"batch.kubernetes.io/controller-uid":"6a6a"}}"""));
        var labels = spec["template"]!["metadata"]!["labels"]!;
        Assert.That(labels["controller-uid"]!.GetValue<string>(), Is.EqualTo("6a6a"));
        Assert.That(labels["job-name"]!.GetValue<string>(), Is.EqualTo("pi"));
        Assert.That(labels["batch.kubernetes.io/job-name"]!.GetValue<string>(), Is.EqualTo("pi"));
        Assert.That(job["metadata"]!["labels"]!["batch.kubernetes.io/controller-uid"]!.GetValue<string>(), Is.EqualTo("6a6a"));
        Assert.That(spec["completions"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(spec["parallelism"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(spec["backoffLimit"]!.GetValue<int>(), Is.EqualTo(6));
        Assert.That(spec["completionMode"]!.GetValue<string>(), Is.EqualTo("NonIndexed"));
        Assert.That(spec["suspend"]!.GetValue<bool>(), Is.False);
        Assert.That(spec["manualSelector"]!.GetValue<bool>(), Is.False);
        Assert.That(spec["podReplacementPolicy"]!.GetValue<string>(), Is.EqualTo("TerminatingOrFailed"));
        Assert.That(spec["template"]!["spec"]!["restartPolicy"]!.GetValue<string>(), Is.EqualTo("Never"));
    }

    [Test]
    public void Apply_JobWithParallelismOnly_LeavesCompletionsUnset()
    {
        var job = Parse("""{"spec":{"parallelism":3,"template":{"spec":{"containers":[]}}}}""");
        Apply(Type("batch", "Job"), job);
        Assert.That(job["spec"]!.AsObject().ContainsKey("completions"), Is.False);
    }

    [Test]
    public void Apply_CronJob_DefaultsPoliciesButNotTheJobSpec()
    {
        var cronJob = Parse("""{"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}""");

        Apply(Type("batch", "CronJob"), cronJob);

        var spec = cronJob["spec"]!;
        Assert.That(spec["concurrencyPolicy"]!.GetValue<string>(), Is.EqualTo("Allow"));
        Assert.That(spec["suspend"]!.GetValue<bool>(), Is.False);
        Assert.That(spec["successfulJobsHistoryLimit"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(spec["failedJobsHistoryLimit"]!.GetValue<int>(), Is.EqualTo(1));
        var jobSpec = spec["jobTemplate"]!["spec"]!.AsObject();
        Assert.That(jobSpec.ContainsKey("backoffLimit"), Is.False);
        Assert.That(jobSpec["template"]!["spec"]!["dnsPolicy"]!.GetValue<string>(), Is.EqualTo("ClusterFirst"));
    }

    [Test]
    public void Apply_StatefulSet_DefaultsStrategyRetentionAndClaims()
    {
        var sts = Parse($$$"""{"spec":{"template":{{{Template}}},"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}]}}""");

        Apply(Type("apps", "StatefulSet"), sts);

        var spec = sts["spec"]!;
        Assert.That(spec["podManagementPolicy"]!.GetValue<string>(), Is.EqualTo("OrderedReady"));
        Assert.That(spec["updateStrategy"]!.ToJsonString(), Is.EqualTo("""{"type":"RollingUpdate","rollingUpdate":{"partition":0}}"""));
        Assert.That(spec["persistentVolumeClaimRetentionPolicy"]!.ToJsonString(), Is.EqualTo("""{"whenDeleted":"Retain","whenScaled":"Retain"}"""));
        Assert.That(spec["replicas"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(spec["revisionHistoryLimit"]!.GetValue<int>(), Is.EqualTo(10));
        var claim = spec["volumeClaimTemplates"]![0]!;
        Assert.That(claim["spec"]!["volumeMode"]!.GetValue<string>(), Is.EqualTo("Filesystem"));
        Assert.That(claim["status"]!["phase"]!.GetValue<string>(), Is.EqualTo("Pending"));
    }

    [Test]
    public void Apply_DaemonSet_DefaultsRollingUpdate()
    {
        var ds = Parse($$$"""{"spec":{"template":{{{Template}}}}}""");
        Apply(Type("apps", "DaemonSet"), ds);
        Assert.That(ds["spec"]!["updateStrategy"]!.ToJsonString(), Is.EqualTo("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}}"""));
        Assert.That(ds["spec"]!["revisionHistoryLimit"]!.GetValue<int>(), Is.EqualTo(10));
    }

    [Test]
    public void Apply_ReplicationController_TakesTemplateLabels()
    {
        var rc = Parse($$$"""{"metadata":{"name":"rc"},"spec":{"template":{{{Template}}}}}""");
        Apply(Type("", "ReplicationController"), rc);
        Assert.That(rc["spec"]!["selector"]!.ToJsonString(), Is.EqualTo("""{"app":"web"}"""));
        Assert.That(rc["metadata"]!["labels"]!.ToJsonString(), Is.EqualTo("""{"app":"web"}"""));
        Assert.That(rc["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public void Apply_SecretAndClaimAndStorageClass_GetTheirDefaults()
    {
        var secret = Parse("{}");
        Apply(Type("", "Secret"), secret);
        Assert.That(secret["type"]!.GetValue<string>(), Is.EqualTo("Opaque"));

        var claim = Parse("""{"spec":{}}""");
        Apply(Type("", "PersistentVolumeClaim"), claim);
        Assert.That(claim.ToJsonString(), Is.EqualTo("""{"spec":{"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}"""));

        var storageClass = Parse("""{"provisioner":"rancher.io/local-path"}""");
        Apply(Type("storage.k8s.io", "StorageClass"), storageClass);
        Assert.That(storageClass["reclaimPolicy"]!.GetValue<string>(), Is.EqualTo("Delete"));
        Assert.That(storageClass["volumeBindingMode"]!.GetValue<string>(), Is.EqualTo("Immediate"));
    }
}
