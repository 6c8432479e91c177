using System.Text.Json.Nodes;
using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>Defaults and validation of the networking, autoscaling, node, storage CSI, certificates and events.k8s.io kinds.</summary>
public sealed class GroupValidationTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static ResourceType Type(string group, string version, string kind) => ResourceCatalog.FindKind(group, version, kind)!;

    private static List<string> Errors(ResourceType type, string json, string? old = null)
    {
        var obj = Parse(json);
        type.Strategy.ApplyDefaults(obj);
        var errors = old is null ? type.Strategy.Validate(obj, type.Namespaced) : type.Strategy.ValidateUpdate(obj, Parse(old));
        return errors.Select(e => e.ToString()).ToList();
    }

    [Test]
    public void Ingress_NeitherRulesNorDefaultBackend_IsInvalid()
    {
        var errors = Errors(Type("networking.k8s.io", "v1", "Ingress"), """{"metadata":{"name":"i","namespace":"d"},"spec":{}}""");

        Assert.That(errors, Is.EqualTo(new[] { "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified" }));
    }

    [Test]
    public void Ingress_PathsAndBackends_AreCheckedAsUpstream()
    {
        var errors = Errors(Type("networking.k8s.io", "v1", "Ingress"), """
            {"metadata":{"name":"i","namespace":"d"},"spec":{"tls":[{"hosts":["*.Foo"]}],"rules":[{"host":"*.foo.com","http":{"paths":[
             {"path":"/a//b","pathType":"Prefix","backend":{"service":{"name":"s","port":{"name":"http","number":80}}}},
             {"path":"/x","pathType":"Fuzzy","backend":{"resource":{"kind":"Bucket"},"service":{"name":"s"}}}]}}]}}
            """);

        Assert.That(errors, Has.Member("spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"));
        Assert.That(errors, Has.Member("spec.rules[0].http.paths[0].backend.service.port: Invalid value: \"\": cannot set both port name & port number"));
        Assert.That(errors, Has.Member("spec.rules[0].http.paths[1].pathType: Unsupported value: \"Fuzzy\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""));
        Assert.That(errors, Has.Member("spec.rules[0].http.paths[1].backend: Invalid value: \"\": cannot set both resource and service backends"));
        Assert.That(errors.Single(e => e.StartsWith("spec.tls[0].hosts[0]", StringComparison.Ordinal)), Does.StartWith(
            "spec.tls[0].hosts[0]: Invalid value: \"*.Foo\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain"));
        Assert.That(errors, Has.Count.EqualTo(5));
    }

    [Test]
    public void IngressClass_ControllerAndParameters_AreCheckedAndControllerIsImmutable()
    {
        var type = Type("networking.k8s.io", "v1", "IngressClass");

        Assert.That(Errors(type, """{"metadata":{"name":"c"},"spec":{"controller":"nginx","parameters":{"kind":"K","name":"n","scope":"Namespace"}}}"""), Is.EqualTo(new[]
        {
            "spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")",
            "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
        }));
        Assert.That(Errors(type, """{"metadata":{"name":"c","resourceVersion":"1"},"spec":{"controller":"a.io/x"}}""",
                """{"metadata":{"name":"c","resourceVersion":"1"},"spec":{"controller":"a.io/y"}}"""),
            Is.EqualTo(new[] { "spec.controller: Invalid value: \"a.io/x\": field is immutable" }));
    }

    [Test]
    public void IngressClass_ParametersWithoutScope_DefaultToCluster()
    {
        var obj = Parse("""{"spec":{"controller":"a.io/x","parameters":{"kind":"K","name":"n"}}}""");

        Type("networking.k8s.io", "v1", "IngressClass").Strategy.ApplyDefaults(obj);

        Assert.That(obj["spec"]!["parameters"]!["scope"]!.GetValue<string>(), Is.EqualTo("Cluster"));
    }

    [Test]
    public void NetworkPolicy_NamedPortWithEndPortAndBadProtocol_AreInvalid()
    {
        var errors = Errors(Type("networking.k8s.io", "v1", "NetworkPolicy"), """
            {"metadata":{"name":"p","namespace":"d"},"spec":{"podSelector":{},"policyTypes":["Ingress","Sideways"],
             "egress":[{"ports":[{"port":"http","endPort":90,"protocol":"ICMP"}],"to":[{"ipBlock":{"cidr":"fd00::/64","except":["fd00::/48"]}}]}]}}
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "spec.egress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
            "spec.egress[0].to[0].ipBlock.except[0]: Invalid value: \"fd00::/48\": must be a strict subset of `cidr`",
            "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"",
        }));
    }

    [Test]
    public void HorizontalPodAutoscaler_Defaults_FillBehaviorRulesAsUpstream()
    {
        var obj = Parse("""{"spec":{"maxReplicas":3,"behavior":{"scaleDown":{"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}}}""");

        Type("autoscaling", "v2", "HorizontalPodAutoscaler").Strategy.ApplyDefaults(obj);

        Assert.That(obj["spec"]!["minReplicas"]!.GetValue<int>(), Is.EqualTo(1));
        var expected = JsonNode.Parse("""
            {"scaleDown":{"policies":[{"type":"Pods","value":1,"periodSeconds":60}],"selectPolicy":"Max"},
             "scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]}}
            """);
        Assert.That(JsonNode.DeepEquals(obj["spec"]!["behavior"], expected), obj["spec"]!["behavior"]!.ToJsonString());
    }

    [Test]
    public void HorizontalPodAutoscaler_BadMetricsAndBehavior_AreInvalid()
    {
        var errors = Errors(Type("autoscaling", "v2", "HorizontalPodAutoscaler"), """
            {"metadata":{"name":"h","namespace":"d"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":0,"maxReplicas":2,
             "metrics":[{"type":"Resource"},{"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"Utilization"}}}],
             "behavior":{"scaleUp":{"stabilizationWindowSeconds":4000,"policies":[]}}}}
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
            "spec.metrics[0].resource: Required value: must populate information for the given metric source",
            "spec.metrics[1].pods.target.averageUtilization: Required value: must set averageUtilization when metric target type is Utilization",
            "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
            "spec.behavior.scaleUp.policies: Required value: must specify at least one Policy",
        }));
    }

    [Test]
    public void CsiDriver_Defaults_AndLifecycleModes()
    {
        var type = Type("storage.k8s.io", "v1", "CSIDriver");

        Assert.That(Errors(type, """{"metadata":{"name":"csi.example.com"},"spec":{"volumeLifecycleModes":["Forever"]}}"""), Is.EqualTo(new[]
        {
            "spec.volumeLifecycleModes[0]: Unsupported value: \"Forever\": supported values: \"Ephemeral\", \"Persistent\"",
        }));
    }

    [Test]
    public void VolumeAttachment_BothSources_IsInvalid()
    {
        var errors = Errors(Type("storage.k8s.io", "v1", "VolumeAttachment"),
            """{"metadata":{"name":"v"},"spec":{"attacher":"csi.example.com","nodeName":"n","source":{"persistentVolumeName":"p","inlineVolumeSpec":{}}}}""");

        Assert.That(errors, Is.EqualTo(new[] { "spec.source: Invalid value: storage.VolumeAttachmentSource{...}: must specify exactly one of inlineVolumeSpec and persistentVolumeName" }));
    }

    [Test]
    public void RuntimeClass_HandlerIsImmutable()
    {
        var errors = Errors(Type("node.k8s.io", "v1", "RuntimeClass"), """{"metadata":{"name":"r","resourceVersion":"1"},"handler":"b"}""",
            """{"metadata":{"name":"r","resourceVersion":"1"},"handler":"a"}""");

        Assert.That(errors, Is.EqualTo(new[] { "handler: Invalid value: \"b\": field is immutable" }));
    }

    [Test]
    public void CertificateSigningRequest_ApprovedAndDenied_AreMutuallyExclusive()
    {
        var obj = Parse("""{"status":{"conditions":[{"type":"Approved","status":"True"},{"type":"Denied","status":"True"}]}}""");
        var errors = new List<MiniKube.ApiServer.Errors.FieldError>();

        CertificatesValidation.Status(obj, errors);

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "status.conditions: Invalid value: []certificates.CertificateSigningRequestCondition{...}: Approved and Denied conditions are mutually exclusive",
        }));
    }

    [Test]
    public void DefaultIngressClass_ChoosesTheNewestDefault_AndRespectsTheLegacyAnnotation()
    {
        var classes = new[]
        {
            Parse("""{"metadata":{"name":"a","creationTimestamp":"2026-01-02T00:00:00Z","annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}}}"""),
            Parse("""{"metadata":{"name":"b","creationTimestamp":"2026-01-01T00:00:00Z","annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}}}"""),
            Parse("""{"metadata":{"name":"c","creationTimestamp":"2026-01-03T00:00:00Z"}}"""),
        };

        Assert.That(DefaultIngressClass.Choose(classes), Is.EqualTo("a"));
        Assert.That(DefaultIngressClass.Wants(Parse("""{"metadata":{"annotations":{"kubernetes.io/ingress.class":"x"}},"spec":{}}""")), Is.False);
        Assert.That(DefaultIngressClass.Wants(Parse("""{"spec":{"ingressClassName":"x"}}""")), Is.False);
        Assert.That(DefaultIngressClass.Wants(Parse("""{"spec":{}}""")), Is.True);
    }
}
