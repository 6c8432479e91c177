using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>Expected texts are real kube-apiserver output quoted in public issues, docs and upstream tests.</summary>
public class ValidationTests
{
    private const string Container = """{"name":"web","image":"nginx"}""";

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

    private static IReadOnlyList<FieldError> Validate(ResourceType type, JsonObject obj, JsonObject? old) =>
        old is null ? type.Strategy.Validate(obj, type.Namespaced) : type.Strategy.ValidateUpdate(obj, old);

    // Defaults as on create, then validation: what the registry will do.
    private static List<string> Create(string group, string kind, string json)
    {
        var type = Type(group, kind);
        var obj = Parse(json);
        ApplyOnCreate(type, obj);
        return Validate(type, obj, null).Select(e => e.Message).ToList();
    }

    private static List<string> Update(string group, string kind, string oldJson, Action<JsonObject> change)
    {
        var type = Type(group, kind);
        var old = Parse(oldJson);
        ApplyOnCreate(type, old);
        var updated = (JsonObject)old.DeepClone();
        change(updated);
        Apply(type, updated);
        return Validate(type, updated, old).Select(e => e.Message).ToList();
    }

    private static string Deployment(string selector, string labels, string extraSpec = "") =>
        """{"metadata":{"name":"demo","namespace":"default"},"spec":{""" + extraSpec + selector +
        "\"template\":{\"metadata\":{\"labels\":" + labels + """},"spec":{"containers":[""" + Container + "]}}}}";

    [Test]
    public void Validate_ValidDeployment_HasNoErrors() =>
        Assert.That(Create("apps", "Deployment", Deployment("""  "selector":{"matchLabels":{"app":"x"}},""", """{"app":"x"}""")), Is.Empty);

    [Test]
    public void Validate_NegativeReplicas_MatchesUpstreamMessage()
    {
        var type = Type("apps", "Deployment");
        var obj = Parse(Deployment("""  "selector":{"matchLabels":{"app":"x"}},""", """{"app":"x"}""", """ "replicas":-1,"""));
        ApplyOnCreate(type, obj);

        var errors = Validate(type, obj, null);

        Assert.That(InvalidError.Message(type, "demo", errors),
            Is.EqualTo("Deployment.apps \"demo\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
    }

    [Test]
    public void Validate_TemplateLabelsNotSelected_MatchesUpstreamMessage() =>
        Assert.That(Create("apps", "Deployment", Deployment("""  "selector":{"matchLabels":{"app":"y"}},""", """{"app":"x"}""")),
            Is.EqualTo(new[] { "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`" }));

    [Test]
    public void Validate_DeploymentWithoutSelector_RequiresItAndMismatches() =>
        Assert.That(Create("apps", "Deployment", Deployment("", """{"app":"x"}""")), Is.EqualTo(new[]
        {
            "spec.selector: Required value",
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`",
        }));

    [Test]
    public void Validate_DeploymentSelectorChanged_IsImmutable()
    {
        var errors = Update("apps", "Deployment", Deployment("""  "selector":{"matchLabels":{"app":"web"}},""", """{"app":"web","v":"2"}"""), d =>
        {
            d["metadata"]!["resourceVersion"] = "5";
            d["spec"]!["selector"]!["matchLabels"]!["v"] = "2";
        });

        Assert.That(errors, Is.EqualTo(new[]
        {
            "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"v\":\"2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
        }).Or.EqualTo(new[]
        {
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"v\":\"2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
        }));
    }

    [Test]
    public void Validate_UpdateWithoutResourceVersion_IsRefused()
    {
        var errors = Update("", "ConfigMap", """{"metadata":{"name":"c","namespace":"default","resourceVersion":"3"}}""", c => c["metadata"]!.AsObject().Remove("resourceVersion"));
        Assert.That(errors, Is.EqualTo(new[] { "metadata.resourceVersion: Invalid value: \"\": must be specified for an update" }));
    }

    [Test]
    public void Validate_ContainerRequestAboveLimit_MatchesUpstreamMessage() =>
        Assert.That(Create("apps", "Deployment", Deployment("""  "selector":{"matchLabels":{"app":"x"}},""", """{"app":"x"}""")
                .Replace(Container, """{"name":"web","image":"nginx","resources":{"requests":{"cpu":"100m"},"limits":{"cpu":"10m"}}}""", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "spec.template.spec.containers[0].resources.requests: Invalid value: \"100m\": must be less than or equal to cpu limit of 10m" }));

    [Test]
    public void Validate_DuplicatePortName_MatchesUpstreamMessage() =>
        Assert.That(Create("", "Pod", """{"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"name":"https","containerPort":443},{"name":"https","containerPort":4443}]}]}}"""),
            Is.EqualTo(new[] { "spec.containers[0].ports[1].name: Duplicate value: \"https\"" }));

    [Test]
    public void Validate_PodWithoutNameOrImage_ListsBoth()
    {
        var type = Type("", "Pod");
        var pod = Parse("""{"metadata":{"namespace":"default"},"spec":{"containers":[{"name":"c"}]}}""");
        ApplyOnCreate(type, pod);

        var errors = Validate(type, pod, null);

        Assert.That(errors.Select(e => e.Message), Is.EqualTo(new[]
        {
            "metadata.name: Required value: name or generateName is required",
            "spec.containers[0].image: Required value",
        }));
        Assert.That(errors.Select(e => e.Reason), Is.All.EqualTo("FieldValueRequired"));
    }

    [Test]
    public void Validate_PodWithoutContainers_RequiresThem() =>
        Assert.That(Create("", "Pod", """{"metadata":{"name":"p","namespace":"default"},"spec":{}}"""), Is.EqualTo(new[] { "spec.containers: Required value" }));

    [Test]
    public void Validate_MountOfUnknownVolume_IsNotFound() =>
        Assert.That(Create("", "Pod", """{"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"nginx","volumeMounts":[{"name":"data","mountPath":"/data"}]}]}}"""),
            Is.EqualTo(new[] { "spec.containers[0].volumeMounts[0].name: Not found: \"data\"" }));

    [Test]
    public void Validate_BadContainerNameAndDuplicates_AreReported()
    {
        var errors = Create("", "Pod", """{"metadata":{"name":"p","namespace":"default"},"spec":{"restartPolicy":"Sometimes","containers":[{"name":"Web","image":"nginx"},{"name":"Web","image":"nginx"}]}}""");
        Assert.That(errors, Does.Contain("spec.containers[1].name: Duplicate value: \"Web\""));
        Assert.That(errors, Does.Contain("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""));
        Assert.That(errors[0], Does.StartWith("spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of"));
    }

    [Test]
    public void Validate_PortOutOfRangeAndBadProtocol_AreReported() =>
        Assert.That(Create("", "Pod", """{"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":70000,"protocol":"HTTP"}]}]}}"""),
            Is.EqualTo(new[]
            {
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            }));

    [Test]
    public void Validate_PodSpecChanged_IsForbiddenWithUpstreamPrefix()
    {
        var errors = Update("", "Pod", """{"metadata":{"name":"p","namespace":"default","resourceVersion":"1"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":3000}]}]}}""",
            p => p["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 3030);

        Assert.That(errors, Has.Count.EqualTo(1), string.Join(" | ", errors));
        Assert.That(errors[0], Does.StartWith(
            "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
            "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"));
        Assert.That(errors[0], Does.Contain("spec.containers[0].ports[0].containerPort: 3000 -> 3030"));
    }

    [Test]
    public void Validate_PodImageAndTolerationAdded_IsAllowed()
    {
        var errors = Update("", "Pod", """{"metadata":{"name":"p","namespace":"default","resourceVersion":"1"},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}""", p =>
        {
            p["spec"]!["containers"]![0]!["image"] = "nginx:2";
            p["spec"]!["tolerations"]!.AsArray().Add(new JsonObject { ["key"] = "k", ["operator"] = "Exists" });
        });
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_JobRestartingAlways_MatchesUpstreamMessage()
    {
        var type = Type("batch", "Job");
        var job = Parse("""{"metadata":{"name":"hello","namespace":"default","uid":"u1"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""");
        ApplyOnCreate(type, job);

        var message = InvalidError.Message(type, "hello", Validate(type, job, null));

        Assert.That(message, Is.EqualTo("Job.batch \"hello\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""));
    }

    [Test]
    public void Validate_CronJobTemplateRestartingAlways_UsesJobTemplatePath() =>
        Assert.That(Create("batch", "CronJob", """{"metadata":{"name":"alpine-cronjob","namespace":"default"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Always","containers":[{"name":"c","image":"alpine"}]}}}}}}"""),
            Is.EqualTo(new[] { "spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"" }));

    [TestCase("*/5 * * * *", null)]
    [TestCase("@hourly", null)]
    [TestCase("0 9 * * mon-fri", null)]
    [TestCase("foo", "expected exactly 5 fields, found 1: [foo]")]
    [TestCase("61 * * * *", "end of range (61) above maximum (59): 61")]
    [TestCase("* * * x *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")]
    [TestCase("@often", "unrecognized descriptor: @often")]
    public void Validate_CronSchedule_UsesRobfigMessages(string schedule, string? problem)
    {
        var errors = Create("batch", "CronJob", """{"metadata":{"name":"c","namespace":"default"},"spec":{"schedule":""" + "\"" + schedule + "\"" +
            ""","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"alpine"}]}}}}}}""");
        Assert.That(errors, problem is null ? Is.Empty : Is.EqualTo(new[] { $"spec.schedule: Invalid value: \"{schedule}\": {problem}" }));
    }

    [Test]
    public void Validate_CronJobWithoutSchedule_RequiresIt() =>
        Assert.That(Create("batch", "CronJob", """{"metadata":{"name":"c","namespace":"default"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"alpine"}]}}}}}}"""),
            Is.EqualTo(new[] { "spec.schedule: Required value" }));

    [Test]
    public void Validate_JobTemplateChanged_IsImmutable()
    {
        var errors = Update("batch", "Job", """{"metadata":{"name":"j","namespace":"default","uid":"u","resourceVersion":"1"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""",
            j => j["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "alpine");
        Assert.That(errors, Is.EqualTo(new[] { "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable" }));
    }

    [Test]
    public void Validate_ServiceWithoutPorts_RequiresThem() =>
        Assert.That(Create("", "Service", """{"metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"app":"web"}}}"""),
            Is.EqualTo(new[] { "spec.ports: Required value" }));

    [Test]
    public void Validate_HeadlessServiceWithoutPorts_IsFine() =>
        Assert.That(Create("", "Service", """{"metadata":{"name":"web","namespace":"default"},"spec":{"clusterIP":"None","selector":{"app":"web"}}}"""), Is.Empty);

    [Test]
    public void Validate_ServiceWithTwoUnnamedPorts_RequiresNames() =>
        Assert.That(Create("", "Service", """{"metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":80},{"port":443}]}}"""),
            Is.EqualTo(new[] { "spec.ports[0].name: Required value", "spec.ports[1].name: Required value" }));

    [Test]
    public void Validate_ServiceName_MustBeDns1035Label()
    {
        var errors = Create("", "Service", """{"metadata":{"name":"1web","namespace":"default"},"spec":{"ports":[{"port":80}]}}""");
        Assert.That(errors, Is.EqualTo(new[]
        {
            "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        }));
    }

    [Test]
    public void Validate_NamespaceName_MustBeDnsLabel() =>
        Assert.That(Create("", "Namespace", """{"metadata":{"name":"Team.A"}}"""), Is.EqualTo(new[]
        {
            "metadata.name: Invalid value: \"Team.A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        }));

    [Test]
    public void Validate_ClusterScopedWithNamespace_IsForbidden() =>
        Assert.That(Create("", "Namespace", """{"metadata":{"name":"a","namespace":"default"}}"""),
            Is.EqualTo(new[] { "metadata.namespace: Forbidden: not allowed on this type" }));

    [Test]
    public void Validate_InvalidLabelValue_ShowsTheValue()
    {
        var errors = Create("", "ConfigMap", """{"metadata":{"name":"c","namespace":"default","labels":{"app":"-x"}}}""");
        Assert.That(errors.Single(), Does.StartWith("metadata.labels: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters"));
    }

    [Test]
    public void Validate_ConfigMapKey_MustBeConfigKey() =>
        Assert.That(Create("", "ConfigMap", """{"metadata":{"name":"c","namespace":"default"},"data":{"a b":"1"}}"""), Is.EqualTo(new[]
        {
            "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        }));

    [Test]
    public void Validate_ImmutableConfigMapDataChanged_IsForbidden() =>
        Assert.That(Update("", "ConfigMap", """{"metadata":{"name":"c","namespace":"default","resourceVersion":"1"},"immutable":true,"data":{"k":"v"}}""", c => c["data"]!["k"] = "w"),
            Is.EqualTo(new[] { "data: Forbidden: field is immutable when `immutable` is set" }));

    [Test]
    public void Validate_TlsSecretWithoutKeys_RequiresThem() =>
        Assert.That(Create("", "Secret", """{"metadata":{"name":"s","namespace":"default"},"type":"kubernetes.io/tls","data":{}}"""),
            Is.EqualTo(new[] { "data[tls.crt]: Required value", "data[tls.key]: Required value" }));

    [Test]
    public void Validate_SecretTypeChanged_IsImmutable() =>
        Assert.That(Update("", "Secret", """{"metadata":{"name":"s","namespace":"default","resourceVersion":"1"}}""", s => s["type"] = "kubernetes.io/basic-auth").First(),
            Is.EqualTo("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable"));

    [Test]
    public void Validate_NameChangedOnUpdate_IsImmutable() =>
        Assert.That(Update("", "ConfigMap", """{"metadata":{"name":"c","namespace":"default","resourceVersion":"1"}}""", c => c["metadata"]!["name"] = "d"),
            Is.EqualTo(new[] { "metadata.name: Invalid value: \"d\": field is immutable" }));

    [Test]
    public void Validate_StorageClassWithoutProvisioner_RequiresIt() =>
        Assert.That(Create("storage.k8s.io", "StorageClass", """{"metadata":{"name":"local"}}"""), Is.EqualTo(new[] { "provisioner: Required value" }));

    [Test]
    public void Validate_DaemonSetWithEmptySelector_IsRefused()
    {
        var errors = Create("apps", "DaemonSet", """{"metadata":{"name":"d","namespace":"default"},"spec":{"selector":{},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[""" + Container + "]}}}}");
        Assert.That(errors, Is.EqualTo(new[] { "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset" }));
    }

    [Test]
    public void Validate_StatefulSetSpecFieldChanged_IsForbidden()
    {
        var sts = """{"metadata":{"name":"web","namespace":"default","resourceVersion":"1"},"spec":{"serviceName":"web","selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}""";
        Assert.That(Update("apps", "StatefulSet", sts, s => s["spec"]!["serviceName"] = "other"), Is.EqualTo(new[]
        {
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        }));
        Assert.That(Update("apps", "StatefulSet", sts, s => s["spec"]!["replicas"] = 3), Is.Empty);
    }

    [Test]
    public void Validate_DeploymentMaxSurgeAndUnavailableZero_IsRefused()
    {
        var errors = Create("apps", "Deployment", Deployment("""  "selector":{"matchLabels":{"app":"x"}},""", """{"app":"x"}""",
            """ "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":"0%"}},"""));
        Assert.That(errors, Is.EqualTo(new[] { "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is 0" }));
    }

    [Test]
    public void Validate_AnnotationsOverLimit_AreTooLong()
    {
        var cm = Parse("""{"metadata":{"name":"c","namespace":"default","annotations":{}}}""");
        cm["metadata"]!["annotations"]!["big"] = new string('x', 256 * 1024);
        var errors = Validate(Type("", "ConfigMap"), cm, null);
        Assert.That(errors.Single().Message, Is.EqualTo("metadata.annotations: Too long: may not be more than 262144 bytes"));
        Assert.That(errors.Single().Reason, Is.EqualTo("FieldValueTooLong"));
    }

    [Test]
    public void Validate_GenerateNameOnly_IsAccepted() =>
        Assert.That(Create("", "ConfigMap", """{"metadata":{"generateName":"cfg-","namespace":"default"}}"""), Is.EqualTo(new[] { "metadata.name: Required value: name or generateName is required" }));

    [Test]
    public void Validate_LeaseWithZeroDuration_IsRefused() =>
        Assert.That(Create("coordination.k8s.io", "Lease", """{"metadata":{"name":"l","namespace":"default"},"spec":{"leaseDurationSeconds":0}}"""),
            Is.EqualTo(new[] { "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0" }));

    [Test]
    public void Validate_PdbWithBothBounds_IsRefused() =>
        Assert.That(Create("policy", "PodDisruptionBudget", """{"metadata":{"name":"p","namespace":"default"},"spec":{"minAvailable":1,"maxUnavailable":"150%"}}"""), Is.EqualTo(new[]
        {
            "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set",
            "spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%",
        }));

    [Test]
    public void Validate_EventInOtherNamespace_IsRefused() =>
        Assert.That(Create("", "Event", """{"metadata":{"name":"e","namespace":"default"},"involvedObject":{"kind":"Pod","name":"p","namespace":"other"}}"""),
            Is.EqualTo(new[] { "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace" }));

    [Test]
    public void Validate_ClaimWithoutStorage_RequiresIt() =>
        Assert.That(Create("", "PersistentVolumeClaim", """{"metadata":{"name":"c","namespace":"default"},"spec":{"accessModes":["ReadWriteOnce"]}}"""),
            Is.EqualTo(new[] { "spec.resources[storage]: Required value" }));

    [Test]
    public void Validate_UnknownFinalizer_MustBeQualified() =>
        Assert.That(Create("", "ConfigMap", """{"metadata":{"name":"c","namespace":"default","finalizers":["custom"]}}"""),
            Is.EqualTo(new[] { "metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified" }));

    [Test]
    public void ValidateStatusUpdate_ChecksOnlyMetadata()
    {
        var old = Parse("""{"metadata":{"name":"p","namespace":"default","uid":"u","resourceVersion":"1"},"spec":{}}""");
        var changed = (JsonObject)old.DeepClone();
        changed["status"] = new JsonObject { ["phase"] = "Running" };
        Assert.That(ResourceStrategy.Plain.ValidateStatusUpdate(changed, old), Is.Empty);

        changed["metadata"]!["uid"] = "other";
        Assert.That(ResourceStrategy.Plain.ValidateStatusUpdate(changed, old).Single().Message, Is.EqualTo("metadata.uid: Invalid value: \"other\": field is immutable"));
    }
}
