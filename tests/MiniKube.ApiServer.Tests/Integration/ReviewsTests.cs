using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.ApiServer.Tests.Protobuf;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// The reviews of authorization.k8s.io and authentication.k8s.io over HTTP: created with 201,
/// answered by the server's authorizer and authenticator, never stored. Without RBAC only
/// system:masters may create them (RBAC's system:basic-user lets everyone ask about itself).
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ReviewsTests : ApiServerFixture
{
    private static readonly string[] Create = ["create"];

    [Test]
    public async Task SelfSubjectAccessReview_Master_Allowed()
    {
        var review = await Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { Verb = "create", Resource = "pods", NamespaceProperty = "default" } },
        });

        Assert.That(review.Status.Allowed, Is.True);
        Assert.That(review.Spec.ResourceAttributes.Resource, Is.EqualTo("pods"));
    }

    [Test]
    public async Task SelfSubjectAccessReview_ProtobufBody_AnsweredInJson()
    {
        var spec = new ProtoMessage().Message(1, new ProtoMessage().String(1, "default").String(2, "create").String(5, "pods"));
        var body = ProtoMessage.Body("authorization.k8s.io/v1", "SelfSubjectAccessReview", new ProtoMessage().Message(1, new ProtoMessage()).Message(2, spec));

        var (code, answer) = await RawHttp.SendBytesAsync(Client, Server.Server.Address, HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body,
            "application/vnd.kubernetes.protobuf", accept: "application/vnd.kubernetes.protobuf,application/json");

        Assert.That(code, Is.EqualTo(201), answer);
        var json = RawHttp.Json(answer);
        Assert.That(json["kind"]!.GetValue<string>(), Is.EqualTo("SelfSubjectAccessReview"));
        Assert.That(json["status"]!.ToJsonString(), Is.EqualTo("""{"allowed":true}"""));
    }

    [Test]
    public async Task SubjectAccessReview_UserWithoutGrants_NotAllowed()
    {
        var review = await Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "jane", Groups = ["dev"], ResourceAttributes = new V1ResourceAttributes { Verb = "list", Resource = "pods", NamespaceProperty = "default" } },
        });

        Assert.That(review.Status.Allowed, Is.False);
        Assert.That(review.Status.Denied, Is.Null.Or.False);
    }

    [Test]
    public async Task SubjectAccessReview_GroupSystemMasters_Allowed()
    {
        var review = await Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "jane", Groups = ["system:masters"], NonResourceAttributes = new V1NonResourceAttributes { Path = "/metrics", Verb = "get" } },
        });

        Assert.That(review.Status.Allowed, Is.True);
    }

    [Test]
    public async Task LocalSubjectAccessReview_TakesThePathsNamespace()
    {
        var review = await Client.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(new V1LocalSubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "jane", ResourceAttributes = new V1ResourceAttributes { Verb = "get", Resource = "pods", NamespaceProperty = "team" } },
        }, "team");

        Assert.That(review.Metadata.NamespaceProperty, Is.EqualTo("team"));
        Assert.That(review.Status.Allowed, Is.False);
    }

    [Test]
    public void LocalSubjectAccessReview_SpecNamesAnotherNamespace_422()
    {
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(new V1LocalSubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "jane", ResourceAttributes = new V1ResourceAttributes { Verb = "get", Resource = "pods", NamespaceProperty = "other" } },
        }, "team"));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(error.Response.Content, Does.Contain("spec.resourceAttributes.namespace: Invalid value: \\\"other\\\": must match metadata.namespace"));
    }

    [Test]
    public async Task SelfSubjectRulesReview_Master_Answered()
    {
        var (code, answer) = await RawHttp.SendAsync(Client, Server.Server.Address, HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"namespace":"default"},"status":{"resourceRules":null,"nonResourceRules":null,"incomplete":false}}""");

        Assert.That(code, Is.EqualTo(201), answer);
        var status = RawHttp.Json(answer)["status"]!.AsObject();
        // The privileged group lists no rules of its own; RBAC's cluster-admin binding adds them.
        Assert.That(status["incomplete"]!.GetValue<bool>(), Is.False);
        Assert.That(status["resourceRules"], Is.InstanceOf<System.Text.Json.Nodes.JsonArray>());
    }

    [Test]
    public async Task Reviews_GetOrList_405AndNothingServedButCreateInDiscovery()
    {
        var (code, _) = await RawHttp.SendAsync(Client, Server.Server.Address, HttpMethod.Get, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", null);
        var authorization = await Client.AuthorizationV1.GetAPIResourcesAsync();
        var authentication = await Client.AuthenticationV1.GetAPIResourcesAsync();

        Assert.That(code, Is.EqualTo(405));
        Assert.That(authorization.Resources.Select(r => r.Name), Is.EquivalentTo(new[] { "localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews" }));
        Assert.That(authentication.Resources.Select(r => r.Name), Is.EquivalentTo(new[] { "selfsubjectreviews", "tokenreviews" }));
        Assert.That(authorization.Resources.Concat(authentication.Resources).Select(r => r.Verbs), Is.All.EqualTo(Create));
        Assert.That(authorization.Resources.Single(r => r.Name == "localsubjectaccessreviews").Namespaced, Is.True);
    }

    [Test]
    public async Task SelfSubjectReview_Json_ReportsTheCaller()
    {
        var review = await Client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());

        Assert.That(review.Status.UserInfo.Username, Is.EqualTo("admin"));
        Assert.That(review.Status.UserInfo.Groups, Is.EqualTo(new[] { "system:masters", "system:authenticated" }));
        Assert.That(review.Metadata.CreationTimestamp, Is.Not.Null);
    }

    [Test]
    public async Task SelfSubjectReview_ProtobufBody_ReportsTheCaller()
    {
        var body = ProtoMessage.Body("authentication.k8s.io/v1", "SelfSubjectReview", new ProtoMessage().Message(1, new ProtoMessage()).Message(2, new ProtoMessage().Message(1, new ProtoMessage())));

        var (code, answer) = await RawHttp.SendBytesAsync(Client, Server.Server.Address, HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews", body, "application/vnd.kubernetes.protobuf");

        Assert.That(code, Is.EqualTo(201), answer);
        Assert.That(RawHttp.Json(answer)["status"]!.ToJsonString(), Is.EqualTo("""{"userInfo":{"username":"admin","groups":["system:masters","system:authenticated"]}}"""));
    }

    [Test]
    public async Task SelfSubjectReview_Impersonating_ReportsTheImpersonatedUser()
    {
        // .NET joins repeated header values into one line (kubectl sends a line per group, see
        // ImpersonationTests and the E2E test), so one group here.
        using var response = await Client.AuthenticationV1.CreateSelfSubjectReviewWithHttpMessagesAsync(new V1SelfSubjectReview(), customHeaders: Impersonating("jane", "system:masters"));

        Assert.That(response.Body.Status.UserInfo.Username, Is.EqualTo("jane"));
        Assert.That(response.Body.Status.UserInfo.Groups, Is.EqualTo(new[] { "system:masters", "system:authenticated" }));
    }

    [Test]
    public async Task Impersonation_MasterAsUserWithoutGrants_RunsAsThatUser()
    {
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedPodWithHttpMessagesAsync("default", customHeaders: Impersonating("jane", "dev")));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(error.Response.Content, Does.Contain("User \\\"jane\\\" cannot list resource \\\"pods\\\""));
        Assert.That((await Client.CoreV1.ListNamespacedPodAsync("default")).Items, Is.Empty, "without the headers the caller is admin again");
    }

    [Test]
    public void Impersonation_UserWithoutImpersonateRight_403WithUpstreamsMessage()
    {
        using var jane = TestIdentities.Client(Server, "jane", "dev");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.ListNamespacedPodWithHttpMessagesAsync("default", customHeaders: Impersonating("bob")));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(RawHttp.Json(error.Response.Content)["message"]!.GetValue<string>(),
            Is.EqualTo("users \"bob\" is forbidden: User \"jane\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"));
    }

    [Test]
    public async Task TokenReview_UnknownToken_NotAuthenticated()
    {
        var review = await Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "not-a-token" } });

        Assert.That(review.Status.Authenticated, Is.Null.Or.False);
        Assert.That(review.Status.Error, Is.EqualTo("invalid bearer token"));
    }

    [Test]
    public void TokenReview_NoToken_400()
    {
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec() }));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Response.Content, Does.Contain("token is required for TokenReview in authentication"));
    }

    private static Dictionary<string, IReadOnlyList<string>> Impersonating(string user, params string[] groups)
    {
        var headers = new Dictionary<string, IReadOnlyList<string>> { ["Impersonate-User"] = [user] };
        if (groups.Length > 0)
        {
            headers["Impersonate-Group"] = groups;
        }
        return headers;
    }
}
