using k8s;
using k8s.Models;
using MiniKube.Testing;
using HttpOperationException = k8s.Autorest.HttpOperationException;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// A kubelet's identity (a client certificate <c>system:node:a</c> in <c>system:nodes</c>) against an
/// in-process API server: the Node authorizer lets it read what its pods use and nothing else, and
/// NodeRestriction keeps its writes to its own Node, Lease, mirror pods and pods' status, with
/// kube-apiserver's 403 messages. Pod "pa" runs on node a, pod "pb" on node b.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class NodeAuthorizationTests : ApiServerFixture
{
    private Kubernetes _nodeA = null!;

    private const string Ns = "default";

    private const System.Net.HttpStatusCode Forbidden = System.Net.HttpStatusCode.Forbidden;

    [SetUp]
    public async Task Workloads()
    {
        _nodeA = TestIdentities.Client(Server, "system:node:a", "system:nodes");
        foreach (var name in (string[])["a", "b"])
        {
            await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } } });
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "sa-" + name } }, Ns);
            await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "secret-" + name }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, Ns);
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm-" + name } }, Ns);
            await Client.CoreV1.CreateNamespacedPodAsync(PodOn("p" + name, name, "secret-" + name, "cm-" + name, "sa-" + name), Ns);
        }
    }

    [TearDown]
    public void CloseNodeClient() => _nodeA.Dispose();

    [Test]
    public async Task Read_WhatItsPodUses_ByGetListAndWatchOfOneName()
    {
        var secret = await _nodeA.CoreV1.ReadNamespacedSecretAsync("secret-a", Ns);
        var configMap = await _nodeA.CoreV1.ReadNamespacedConfigMapAsync("cm-a", Ns);
        var listed = await _nodeA.CoreV1.ListNamespacedSecretAsync(Ns, fieldSelector: "metadata.name=secret-a");
        var watched = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/secrets?watch=1&fieldSelector=metadata.name%3Dsecret-a&timeoutSeconds=1");

        Assert.That(secret.Data["k"], Is.EqualTo("v"u8.ToArray()));
        Assert.That(configMap.Metadata.Name, Is.EqualTo("cm-a"));
        Assert.That(listed.Items.Select(s => s.Metadata.Name), Is.EqualTo(new[] { "secret-a" }));
        Assert.That(watched.Code, Is.EqualTo(200), watched.Body);
        Assert.That(watched.Body, Does.Contain("\"type\":\"ADDED\"").And.Contain("\"name\":\"secret-a\""));
    }

    [Test]
    public async Task ListSecrets_Forbidden_NoObjectNameFound()
    {
        var (code, body) = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/secrets");
        var everywhere = await SendAsync(_nodeA, HttpMethod.Get, "/api/v1/secrets");

        Assert.That(code, Is.EqualTo(403), body);
        Assert.That(Message(body), Is.EqualTo("secrets is forbidden: User \"system:node:a\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\": No Object name found"));
        Assert.That(Message(everywhere.Body), Is.EqualTo("secrets is forbidden: User \"system:node:a\" cannot list resource \"secrets\" in API group \"\" at the cluster scope: can only read namespaced object of this type"));
    }

    [Test]
    public async Task GetSecretOfAPodOnAnotherNode_Forbidden_NoRelationship()
    {
        var (code, body) = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/secrets/secret-b");
        var configMap = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/configmaps?fieldSelector=metadata.name%3Dcm-b");

        Assert.That(code, Is.EqualTo(403), body);
        Assert.That(Message(body), Is.EqualTo("secrets \"secret-b\" is forbidden: User \"system:node:a\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": no relationship found between node 'a' and this object"));
        Assert.That(configMap.Code, Is.EqualTo(403), configMap.Body);
    }

    [Test]
    public async Task Secret_ReadableOnceAPodOnTheNodeUsesIt_AndNoLongerAfterThePodGoes()
    {
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "later" } }, Ns);
        Assert.That((await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/secrets/later")).Code, Is.EqualTo(403));

        await Client.CoreV1.CreateNamespacedPodAsync(PodOn("uses-later", "a", "later", "cm-a", "sa-a"), Ns);
        var allowed = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/secrets/later");
        await Client.CoreV1.DeleteNamespacedPodAsync("uses-later", Ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        var gone = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/secrets/later");

        Assert.That(allowed.Code, Is.EqualTo(200), allowed.Body);
        Assert.That(gone.Code, Is.EqualTo(403), gone.Body);
    }

    [Test]
    public async Task Pods_ItsOwnListedByNodeName_OthersNot()
    {
        var mine = await _nodeA.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=a");
        var all = await SendAsync(_nodeA, HttpMethod.Get, "/api/v1/pods");
        var theirs = await SendAsync(_nodeA, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/pods/pb");

        Assert.That(mine.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "pa" }));
        Assert.That(all.Code, Is.EqualTo(403), all.Body);
        Assert.That(Message(all.Body), Does.EndWith(": can only list/watch pods with spec.nodeName field selector"));
        Assert.That(theirs.Code, Is.EqualTo(403), theirs.Body);
    }

    [Test]
    public async Task CreatePod_NotAMirrorPod_ForbiddenByNodeRestriction()
    {
        var error = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoreV1.CreateNamespacedPodAsync(PodOn("sneaky", "a", null, null, null), Ns));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(Forbidden));
        Assert.That(Message(error.Response.Content), Is.EqualTo("pods \"sneaky\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"a\" can only create mirror pods"));
    }

    [Test]
    public async Task CreateMirrorPod_OwnedByItsNode_Allowed_ButNotWithASecret()
    {
        var node = await Client.CoreV1.ReadNodeAsync("a");
        var plain = PodOn("static-web", "a", null, null, null);
        MakeMirror(plain, node);
        var withSecret = PodOn("static-secret", "a", "secret-a", null, null);
        MakeMirror(withSecret, node);

        var created = await _nodeA.CoreV1.CreateNamespacedPodAsync(plain, Ns);
        var error = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoreV1.CreateNamespacedPodAsync(withSecret, Ns));

        Assert.That(created.Metadata.Name, Is.EqualTo("static-web"));
        Assert.That(Message(error!.Response.Content), Is.EqualTo("pods \"static-secret\" is forbidden: node \"a\" can not create pods that reference secrets"));
    }

    [Test]
    public async Task PatchAnotherNode_Forbidden()
    {
        var patch = new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch);

        var error = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoreV1.PatchNodeAsync(patch, "b"));
        var status = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoreV1.PatchNodeStatusAsync(patch, "b"));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(Forbidden));
        Assert.That(Message(error.Response.Content), Is.EqualTo("nodes \"b\" is forbidden: node \"a\" is not allowed to modify node \"b\""));
        Assert.That(status!.Response.StatusCode, Is.EqualTo(Forbidden));
        Assert.That((await Client.CoreV1.ReadNodeAsync("b")).Metadata.Labels, Does.Not.ContainKey("x"));
    }

    [Test]
    public async Task OwnNodeStatusAndLease_Writable()
    {
        var status = await _nodeA.CoreV1.PatchNodeStatusAsync(
            new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"ok"}]}}""", V1Patch.PatchType.StrategicMergePatch), "a");
        var labelled = await _nodeA.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"node.kubernetes.io/instance-type":"pi","team":"edge"}}}""", V1Patch.PatchType.MergePatch), "a");
        var lease = await _nodeA.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease { Metadata = new V1ObjectMeta { Name = "a" }, Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 40 } }, "kube-node-lease");
        lease.Spec.RenewTime = DateTime.UtcNow;
        var renewed = await _nodeA.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "a", "kube-node-lease");
        var othersLease = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease { Metadata = new V1ObjectMeta { Name = "b" }, Spec = new V1LeaseSpec { HolderIdentity = "b" } }, "kube-node-lease"));

        Assert.That(status.Status.Conditions.Single().Reason, Is.EqualTo("KubeletReady"));
        Assert.That(labelled.Metadata.Labels["team"], Is.EqualTo("edge"));
        Assert.That(renewed.Spec.RenewTime, Is.Not.Null);
        Assert.That(Message(othersLease!.Response.Content), Is.EqualTo("leases.coordination.k8s.io \"b\" is forbidden: can only access node lease with the same name as the requesting node"));
    }

    [TestCase("node-restriction.kubernetes.io/tier", "is not allowed to modify labels: node-restriction.kubernetes.io/tier")]
    [TestCase("node-role.kubernetes.io/control-plane", "is not allowed to modify labels: node-role.kubernetes.io/control-plane")]
    public void SetRestrictedLabel_Forbidden(string label, string reason)
    {
        var patch = new V1Patch("{\"metadata\":{\"labels\":{\"" + label + "\":\"x\"}}}", V1Patch.PatchType.MergePatch);

        var error = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoreV1.PatchNodeAsync(patch, "a"));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(Forbidden));
        Assert.That(Message(error.Response.Content), Is.EqualTo("nodes \"a\" is forbidden: " + reason));
    }

    [Test]
    public async Task Token_ForItsPodsServiceAccountBoundToThePod_OnlyThat()
    {
        var pa = await Client.CoreV1.ReadNamespacedPodAsync("pa", Ns);
        var pb = await Client.CoreV1.ReadNamespacedPodAsync("pb", Ns);

        var token = await _nodeA.CoreV1.CreateNamespacedServiceAccountTokenAsync(Request(pa), "sa-a", Ns);
        var otherAccount = await SendAsync(_nodeA, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/serviceaccounts/sa-b/token", KubernetesJson.Serialize(Request(pb)));
        var unbound = await SendAsync(_nodeA, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/serviceaccounts/sa-a/token", """{"spec":{}}""");
        var wrongUid = Request(pa);
        wrongUid.Spec.BoundObjectRef.Uid = "not-the-pods";
        var stale = await SendAsync(_nodeA, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/serviceaccounts/sa-a/token", KubernetesJson.Serialize(wrongUid));

        Assert.That(token.Status.Token, Is.Not.Empty);
        Assert.That(otherAccount.Code, Is.EqualTo(403), otherAccount.Body);
        Assert.That(Message(otherAccount.Body), Is.EqualTo("serviceaccounts \"sa-b\" is forbidden: User \"system:node:a\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"default\": no relationship found between node 'a' and this object"));
        Assert.That(unbound.Code, Is.EqualTo(403), unbound.Body);
        Assert.That(Message(unbound.Body), Is.EqualTo("serviceaccounts \"sa-a\" is forbidden: node requested token not bound to a pod"));
        Assert.That(Message(stale.Body), Does.Contain("does not match the UID in record"));
    }

    [Test]
    public async Task EvictAndStatusOfAnotherNodesPod_Forbidden()
    {
        var eviction = await SendAsync(_nodeA, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/pods/pb/eviction", """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"pb"}}""");
        var status = Assert.ThrowsAsync<HttpOperationException>(() => _nodeA.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("""{"status":{"phase":"Failed"}}""", V1Patch.PatchType.MergePatch), "pb", Ns));
        var own = await _nodeA.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "pa", Ns);

        Assert.That(eviction.Code, Is.EqualTo(403), eviction.Body);
        Assert.That(Message(eviction.Body), Is.EqualTo("pods \"pb\" is forbidden: node a can only evict pods with spec.nodeName set to itself"));
        Assert.That(Message(status!.Response.Content), Is.EqualTo("pods \"pb\" is forbidden: node \"a\" can only update pod status for pods with spec.nodeName set to itself"));
        Assert.That(own.Status.Phase, Is.EqualTo("Running"));
        Assert.That((await Client.CoreV1.ReadNamespacedPodAsync("pb", Ns)).Metadata.DeletionTimestamp, Is.Null);
    }

    private static V1Pod PodOn(string name, string node, string? secret, string? configMap, string? account) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            ServiceAccountName = account,
            Containers = [new V1Container
            {
                Name = "c",
                Image = "nginx",
                EnvFrom = configMap is null ? null : [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = configMap } }],
            }],
            Volumes = secret is null ? null : [new V1Volume { Name = "s", Secret = new V1SecretVolumeSource { SecretName = secret } }],
        },
    };

    private static void MakeMirror(V1Pod pod, V1Node node)
    {
        pod.Metadata.Annotations = new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = "hash" };
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Metadata.Name, Uid = node.Metadata.Uid, Controller = true }];
    }

    private static Authenticationv1TokenRequest Request(V1Pod pod) => new()
    {
        Spec = new V1TokenRequestSpec
        {
            Audiences = [],
            BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
        },
    };

    private static string? Message(string body) => (string?)RawHttp.Json(body)["message"];

    private Task<(int Code, string Body)> SendAsync(Kubernetes client, HttpMethod method, string path, string? body = null) =>
        RawHttp.SendAsync(client, Server.Server.Address, method, path, body);
}
