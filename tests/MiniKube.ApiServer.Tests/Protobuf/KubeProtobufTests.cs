using System.Text;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Protobuf;

namespace MiniKube.ApiServer.Tests.Protobuf;

public sealed class KubeProtobufTests
{
    private static ProtoMessage Meta(string name) => new ProtoMessage().String(1, name);

    [Test]
    public void Decode_KubectlNamespace_SetsTypeMetaAndGoZeroValues()
    {
        var ns = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.Namespace));

        Assert.That(ns.ToJsonString(), Is.EqualTo("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x","creationTimestamp":null},"spec":{},"status":{}}"""));
    }

    [Test]
    public void Decode_KubectlDeployment_BuildsPodTemplate()
    {
        var deployment = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.Deployment));

        Assert.That((string?)deployment["apiVersion"], Is.EqualTo("apps/v1"));
        Assert.That((int?)deployment["spec"]!["replicas"], Is.EqualTo(2));
        Assert.That((string?)deployment["spec"]!["selector"]!["matchLabels"]!["app"], Is.EqualTo("web"));
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.That((string?)container["image"], Is.EqualTo("nginx:1.27"));
        Assert.That(container["ports"]!.ToJsonString(), Is.EqualTo("""[{"containerPort":80}]"""));
        Assert.That(container["resources"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(deployment["spec"]!.AsObject().ContainsKey("minReadySeconds"), Is.False, "a non-pointer zero is omitempty");
    }

    [Test]
    public void Decode_ZeroReplicas_KeepsThePointerZero()
    {
        var deployment = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.DeploymentWithZeroReplicas));

        Assert.That((int?)deployment["spec"]!["replicas"], Is.Zero);
    }

    [Test]
    public void Decode_SecretAndConfigMap_MapsBytesToBase64AndKeepsEmptyValues()
    {
        var secret = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.Secret));
        var configMap = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.ConfigMap));

        Assert.That(secret["data"]!.ToJsonString(), Is.EqualTo("""{"k":"dg=="}"""));
        Assert.That(configMap["data"]!.ToJsonString(), Is.EqualTo("""{"a":"b","empty":""}"""));
    }

    [Test]
    public void Decode_IntOrString_IsNumberOrString()
    {
        var service = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.ServiceWithNamedTargetPort));
        var pdb = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.PodDisruptionBudget));

        Assert.That(service["spec"]!["ports"]![0]!.ToJsonString(), Is.EqualTo("""{"name":"80-http","protocol":"TCP","port":80,"targetPort":"http"}"""));
        Assert.That(pdb["spec"]!["minAvailable"]!.ToJsonString(), Is.EqualTo("\"50%\""));
    }

    [Test]
    public void Decode_CronJob_ReachesTheJobTemplatesContainers()
    {
        var cronJob = KubeProtobuf.Decode(CapturedBodies.Bytes(CapturedBodies.CronJob));

        Assert.That((string?)cronJob["spec"]!["schedule"], Is.EqualTo("*/1 * * * *"));
        var podSpec = cronJob["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!;
        Assert.That((string?)podSpec["restartPolicy"], Is.EqualTo("OnFailure"));
        Assert.That(podSpec["containers"]![0]!["command"]!.ToJsonString(), Is.EqualTo("""["echo","hi"]"""));
    }

    [Test]
    public void Decode_HandEncodedBinding_GivesTarget()
    {
        var binding = new ProtoMessage()
            .Message(1, Meta("web-0").String(3, "default"))
            .Message(2, new ProtoMessage().String(1, "Node").String(3, "node-1").String(5, "v1"));

        var decoded = KubeProtobuf.Decode(ProtoMessage.Body("v1", "Binding", binding));

        Assert.That(decoded.ToJsonString(), Is.EqualTo(
            """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"web-0","namespace":"default"},"target":{"kind":"Node","name":"node-1","apiVersion":"v1"}}"""));
    }

    [Test]
    public void Decode_Eviction_KeepsZeroGracePeriod()
    {
        var eviction = new ProtoMessage()
            .Message(1, Meta("web-0"))
            .Message(2, new ProtoMessage().Varint(1, 0).Message(2, new ProtoMessage().String(1, "uid-1")).String(4, "Foreground"));

        var decoded = KubeProtobuf.Decode(ProtoMessage.Body("policy/v1", "Eviction", eviction));

        Assert.That(decoded["deleteOptions"]!.ToJsonString(), Is.EqualTo("""{"gracePeriodSeconds":0,"preconditions":{"uid":"uid-1"},"propagationPolicy":"Foreground"}"""));
    }

    [Test]
    public void Decode_DeleteOptionsInAnyGroupVersion_IsDeleteOptions()
    {
        var decoded = KubeProtobuf.Decode(ProtoMessage.Body("apps/v1", "DeleteOptions", new ProtoMessage().Varint(1, 30)));

        Assert.That((int?)decoded["gracePeriodSeconds"], Is.EqualTo(30));
    }

    [Test]
    public void Decode_Times_AreRfc3339WithSecondsOrMicroseconds()
    {
        // 2024-01-01T00:00:00Z plus 123456789 ns: Time drops the fraction, MicroTime keeps microseconds.
        var timestamp = new ProtoMessage().Varint(1, 1_704_067_200).Varint(2, 123_456_789);
        var lease = new ProtoMessage()
            .Message(1, Meta("lock").Message(8, timestamp))
            .Message(2, new ProtoMessage().String(1, "").Varint(2, 15).Message(4, timestamp).Varint(5, 0));

        var decoded = KubeProtobuf.Decode(ProtoMessage.Body("coordination.k8s.io/v1", "Lease", lease));

        Assert.That((string?)decoded["metadata"]!["creationTimestamp"], Is.EqualTo("2024-01-01T00:00:00Z"));
        Assert.That(decoded["spec"]!.ToJsonString(), Is.EqualTo(
            """{"holderIdentity":"","leaseDurationSeconds":15,"renewTime":"2024-01-01T00:00:00.123456Z","leaseTransitions":0}"""));
    }

    [Test]
    public void Decode_PodSpec_FlattensInlineStructsAndReadsSpecialTypes()
    {
        var probe = new ProtoMessage()
            .Message(1, new ProtoMessage().Message(2, new ProtoMessage().String(1, "/healthz").Message(2, new ProtoMessage().Varint(1, 0).Varint(2, 8080))))
            .Varint(3, 1);
        var container = new ProtoMessage()
            .String(1, "app")
            .String(2, "busybox")
            .Message(8, new ProtoMessage().Message(1, new ProtoMessage().String(1, "cpu").Message(2, new ProtoMessage().String(1, "250m"))))
            .Message(10, probe)
            .Message(15, new ProtoMessage().Varint(2, 0).Varint(4, 0))
            .Varint(16, 0)
            .Message(9999, new ProtoMessage().String(1, "skipped"));
        var volumes = new ProtoMessage()
            .String(1, "config")
            .Message(2, new ProtoMessage().Message(19, new ProtoMessage().Message(1, new ProtoMessage().String(1, "settings")).Varint(3, 420)));
        var pod = new ProtoMessage()
            .Message(1, Meta("p"))
            .Message(2, new ProtoMessage().Message(1, volumes).Message(2, container).Message(14, new ProtoMessage().Packed(4, 1000, 2000)));

        var spec = KubeProtobuf.Decode(ProtoMessage.Body("v1", "Pod", pod))["spec"]!;

        Assert.That(spec["volumes"]!.ToJsonString(), Is.EqualTo("""[{"name":"config","configMap":{"name":"settings","defaultMode":420}}]"""));
        Assert.That(spec["containers"]![0]!.ToJsonString(), Is.EqualTo(
            """
            {"name":"app","image":"busybox","resources":{"limits":{"cpu":"250m"}},"livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"timeoutSeconds":1},"securityContext":{"privileged":false,"runAsUser":0}}
            """));
        Assert.That(spec["securityContext"]!["supplementalGroups"]!.ToJsonString(), Is.EqualTo("[1000,2000]"));
    }

    [Test]
    public void Decode_FieldsV1_EmbedsTheRawJson()
    {
        var entry = new ProtoMessage().String(1, "kubectl").String(2, "Update").String(6, "FieldsV1")
            .Message(7, new ProtoMessage().Bytes(1, Encoding.UTF8.GetBytes("""{"f:data":{".":{}}}""")));
        var configMap = new ProtoMessage().Message(1, Meta("c").Message(17, entry));

        var decoded = KubeProtobuf.Decode(ProtoMessage.Body("v1", "ConfigMap", configMap));

        Assert.That(decoded["metadata"]!["managedFields"]![0]!["fieldsV1"]!.ToJsonString(), Is.EqualTo("""{"f:data":{".":{}}}"""));
    }

    [Test]
    public void Decode_MapOfLists_UnwrapsExtraValue()
    {
        var extra = new ProtoMessage().String(1, "scopes").Message(2, new ProtoMessage().String(1, "a").String(1, "b"));
        var review = new ProtoMessage().Message(2, new ProtoMessage().String(3, "alice").Message(5, extra));

        var decoded = KubeProtobuf.Decode(ProtoMessage.Body("authorization.k8s.io/v1", "SubjectAccessReview", review));

        Assert.That(decoded["spec"]!["extra"]!.ToJsonString(), Is.EqualTo("""{"scopes":["a","b"]}"""));
    }

    [Test]
    public void Decode_BadMagic_IsBadRequest()
    {
        var error = Assert.Throws<KubeProtobufException>(() => KubeProtobuf.Decode("""{"kind":"Pod"}"""u8));

        Assert.That(error!.Message, Does.Contain("does not appear to be a protobuf message"));
    }

    [Test]
    public void Decode_EmptyBody_IsBadRequest()
    {
        Assert.Throws<KubeProtobufException>(() => KubeProtobuf.Decode([]));
        Assert.Throws<KubeProtobufException>(() => KubeProtobuf.Decode([0x6b, 0x38, 0x73, 0x00]));
    }

    [Test]
    public void Decode_TruncatedBody_IsBadRequest()
    {
        var body = CapturedBodies.Bytes(CapturedBodies.Deployment);

        for (var length = 5; length < body.Length; length += 7)
        {
            Assert.Throws(Is.InstanceOf<KubeProtobufException>(), () => KubeProtobuf.Decode(body.AsSpan(0, length)), $"cut at {length}");
        }
    }

    [Test]
    public void Decode_NestedLengthBeyondItsParent_IsBadRequest()
    {
        // metadata claims 100 bytes inside an object of 4.
        var raw = new byte[] { 0x0a, 100, 0x0a, 0x01 };
        var body = ProtoMessage.Body("v1", "Namespace", new ProtoMessage());
        byte[] forged = [.. body[..^2], 0x12, (byte)raw.Length, .. raw];

        Assert.Throws<KubeProtobufException>(() => KubeProtobuf.Decode(forged));
    }

    [Test]
    public void Decode_WireTypeContradictsSchema_IsBadRequest()
    {
        var deployment = new ProtoMessage().Message(2, new ProtoMessage().String(1, "two"));

        var error = Assert.Throws<KubeProtobufException>(() => KubeProtobuf.Decode(ProtoMessage.Body("apps/v1", "Deployment", deployment)));

        Assert.That(error!.Message, Does.Contain("field 1"));
    }

    [Test]
    public void Decode_UnknownKind_IsUnsupported()
    {
        var error = Assert.Throws<UnsupportedProtobufKindException>(() => KubeProtobuf.Decode(ProtoMessage.Body("example.com/v1", "Widget", new ProtoMessage())));

        Assert.That(error!.Kind, Is.EqualTo("Widget"));
        Assert.That(error.ApiVersion, Is.EqualTo("example.com/v1"));
    }

    [Test]
    public void Decode_MissingKind_IsBadRequest()
    {
        var error = Assert.Throws<KubeProtobufException>(() => KubeProtobuf.Decode(ProtoMessage.Body("v1", "", new ProtoMessage())));

        Assert.That(error, Is.Not.InstanceOf<UnsupportedProtobufKindException>());
    }

    [Test]
    public void ReadInto_NestingDeeperThanTheLimit_IsBadRequest()
    {
        var deployment = new ProtoMessage().Message(2, new ProtoMessage().Message(3, new ProtoMessage().Message(1, Meta("deep")))).ToArray();

        Assert.DoesNotThrow(() => MessageTranscoder.ReadInto(deployment, 0, deployment.Length, typeof(k8s.Models.V1Deployment), new JsonObject(), maxDepth: 3));
        var error = Assert.Throws<KubeProtobufException>(() => MessageTranscoder.ReadInto(deployment, 0, deployment.Length, typeof(k8s.Models.V1Deployment), new JsonObject(), maxDepth: 2));
        Assert.That(error!.Message, Does.Contain("deeper than 2"));
    }

    [TestCase("application/vnd.kubernetes.protobuf", true)]
    [TestCase("application/vnd.kubernetes.protobuf; charset=utf-8", true)]
    [TestCase("application/vnd.kubernetes.protobuf;stream=watch", true)]
    [TestCase("application/json", false)]
    [TestCase(null, false)]
    public void IsProtobuf_ContentType_MatchesMediaTypeOnly(string? contentType, bool expected) =>
        Assert.That(KubeProtobuf.IsProtobuf(contentType), Is.EqualTo(expected));
}
