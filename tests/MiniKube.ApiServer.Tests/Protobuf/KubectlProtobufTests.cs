using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Protobuf;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Protobuf;

/// <summary>
/// The compatibility proof: real kubectl 1.32 generator commands POST protobuf to a recording
/// server, and the decoded body must equal what the same command prints with --dry-run=client -o json.
/// The bodies this test prints are the vectors kept in <see cref="CapturedBodies"/>.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubectlProtobufTests
{
    private string _dir = null!;
    private string _binary = null!;

    private static readonly string[][] Commands =
    [
        ["create", "namespace", "x"],
        ["create", "configmap", "c", "--from-literal=a=b", "--from-literal=empty="],
        ["create", "secret", "generic", "s", "--from-literal=k=v"],
        ["create", "secret", "docker-registry", "reg", "--docker-server=r.example", "--docker-username=u", "--docker-password=p"],
        ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80"],
        ["create", "deployment", "idle", "--image=nginx:1.27", "--replicas=0"],
        ["create", "service", "clusterip", "svc", "--tcp=80:8080"],
        ["create", "service", "nodeport", "np", "--tcp=80:http"],
        ["create", "job", "j", "--image=busybox", "--", "echo", "hi"],
        ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/1 * * * *", "--", "echo", "hi"],
        ["create", "serviceaccount", "sa"],
        ["create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%"],
        ["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"],
        ["create", "clusterrole", "health", "--verb=get", "--non-resource-url=/healthz"],
        ["create", "rolebinding", "rb", "--role=pod-reader", "--user=alice", "--serviceaccount=default:sa"],
        ["create", "clusterrolebinding", "crb", "--clusterrole=view", "--group=devs"],
        ["create", "ingress", "ing", "--rule=example.com/path=svc:80", "--class=nginx"],
        ["create", "priorityclass", "high", "--value=1000", "--description=important"],
        ["create", "quota", "q", "--hard=cpu=1,pods=10"],
    ];

    // Kinds kubectl can create that the catalog may not serve yet; decoding must not depend on it.
    private static readonly ResourceType[] Extra =
    [
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", typeof(V1Role), true),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", typeof(V1ClusterRole), false),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", typeof(V1RoleBinding), true),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", typeof(V1ClusterRoleBinding), false),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", typeof(V1Ingress), true),
        new("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", typeof(V1PriorityClass), false),
        new("", "v1", "resourcequotas", "ResourceQuota", typeof(V1ResourceQuota), true),
    ];

    [SetUp]
    public void SetUp()
    {
        // These machines have kubectl 1.27–1.33 beside /usr/bin/kubectl (ARCHITECTURE.md §8).
        _binary = Kubectl.FindBinary() ?? throw new AssertionException("kubectl 1.32 is not installed: the protobuf bodies need the real client");
        _dir = Directory.CreateTempSubdirectory("mkube-kubectl-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCaseSource(nameof(Commands))]
    public async Task Decode_KubectlCreateBody_EqualsDryRunJson(string[] command)
    {
        await using var server = await RecordingApiServer.StartAsync(Extra.Where(e => ResourceCatalog.FindKind(e.Group, e.Kind) is null));
        var kubectl = new Kubectl(_dir);

        var created = await kubectl.RunAsync(_binary, server.Url, command, CancellationToken.None);
        var dryRun = await kubectl.RunAsync(_binary, server.Url, ["--dry-run=client", "--output=json", .. command], CancellationToken.None);

        Assert.That(created.ExitCode, Is.Zero, created.StandardError);
        Assert.That(dryRun.ExitCode, Is.Zero, dryRun.StandardError);
        var post = server.Requests.Single(r => r.Method == "POST");
        Assert.That(post.ContentType, Is.EqualTo(KubeProtobuf.MediaType));
        TestContext.Out.WriteLine($"{string.Join(' ', command)}: {Convert.ToBase64String(post.Body)}");
        // Exact equality: the transcoder reproduces encoding/json's output, down to
        // "creationTimestamp": null and the empty "status": {} that Go always writes.
        var decoded = KubeProtobuf.Decode(post.Body);
        var expected = JsonNode.Parse(dryRun.StandardOutput);
        Assert.That(JsonNode.DeepEquals(decoded, expected), Is.True, $"decoded:\n{decoded}\nexpected:\n{expected}");
    }

    // Commands whose reply our echo cannot satisfy (they read status back), so only the body is checked.
    [TestCase("auth can-i get pods", "SelfSubjectAccessReview", "spec", """{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}""")]
    [TestCase("auth whoami", "SelfSubjectReview", "status", """{"userInfo":{}}""")]
    // Go's JSON would also write "audiences":null and "boundObjectRef":null (no omitempty);
    // absent fields leave no trace in protobuf, and null means absent to the server anyway.
    [TestCase("create token sa --duration=1h", "TokenRequest", "spec", """{"expirationSeconds":3600}""")]
    public async Task Decode_KubectlReviewBody_CarriesTheQuestion(string command, string kind, string field, string expected)
    {
        await using var server = await RecordingApiServer.StartAsync();

        await new Kubectl(_dir).RunAsync(_binary, server.Url, command.Split(' '), CancellationToken.None);

        var post = server.Requests.Single(r => r.Method == "POST");
        Assert.That(post.ContentType, Is.EqualTo(KubeProtobuf.MediaType));
        var decoded = KubeProtobuf.Decode(post.Body);
        Assert.That((string?)decoded["kind"], Is.EqualTo(kind));
        Assert.That(decoded[field]?.ToJsonString(), Is.EqualTo(expected));
    }
}
