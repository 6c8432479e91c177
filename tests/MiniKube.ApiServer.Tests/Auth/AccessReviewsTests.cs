using System.Text.Json.Nodes;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.Auth;

public class AccessReviewsTests
{
    private static readonly UserInfo Jane = new("jane", ["dev", UserInfo.AuthenticatedGroup]);

    [Test]
    public void SelfSubjectAccessReview_AsksAsRequesterWithSpecsAttributes()
    {
        var authorizer = new Answering(AuthorizationResult.Allowed("bound"));
        var review = Parse("""{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"x","verb":"get","group":"apps","resource":"deployments","subresource":"scale","name":"web"}},"status":{"allowed":false}}""");

        var answer = AccessReviews.SelfSubjectAccessReview(review, Jane, authorizer);

        var asked = authorizer.Asked!;
        Assert.That((asked.User.Name, asked.Verb, asked.IsResourceRequest, asked.ApiGroup, asked.ApiVersion, asked.ResourceWithSubresource, asked.Namespace, asked.Name),
            Is.EqualTo(("jane", "get", true, "apps", "*", "deployments/scale", "x", "web")));
        Assert.That(answer["status"]!.ToJsonString(), Is.EqualTo("""{"allowed":true,"reason":"bound"}"""));
        Assert.That(answer["spec"]!.ToJsonString(), Is.EqualTo(review["spec"]!.ToJsonString()));
        Assert.That(answer["metadata"]!.ToJsonString(), Is.EqualTo("""{"creationTimestamp":null}"""));
    }

    [Test]
    public void SelfSubjectAccessReview_NonResourcePath_AskedAsPathAndDeniedIsReported()
    {
        var authorizer = new Answering(AuthorizationResult.Denied("nope"));

        var answer = AccessReviews.SelfSubjectAccessReview(Parse("""{"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}}}"""), Jane, authorizer);

        Assert.That((authorizer.Asked!.IsResourceRequest, authorizer.Asked.Path, authorizer.Asked.Verb), Is.EqualTo((false, "/healthz", "get")));
        Assert.That(answer["status"]!.ToJsonString(), Is.EqualTo("""{"allowed":false,"denied":true,"reason":"nope"}"""));
    }

    [Test]
    public void SelfSubjectAccessReview_NoAttributes_422AsUpstream()
    {
        var error = Assert.Throws<ApiException>(() => AccessReviews.SelfSubjectAccessReview(Parse("""{"spec":{}}"""), Jane, new Answering(AuthorizationResult.Allowed())));

        Assert.That(error!.Code, Is.EqualTo(422));
        Assert.That(error.Message, Is.EqualTo("SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified"));
    }

    [Test]
    public void SelfSubjectAccessReview_BothAttributesAndAName_422ForEach()
    {
        var review = Parse("""{"metadata":{"name":"x"},"spec":{"resourceAttributes":{"verb":"get"},"nonResourceAttributes":{"path":"/x","verb":"get"}}}""");

        var error = Assert.Throws<ApiException>(() => AccessReviews.SelfSubjectAccessReview(review, Jane, new Answering(AuthorizationResult.Allowed())));

        Assert.That(error!.Message, Does.StartWith("SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: [spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:\"/x\", Verb:\"get\"}: cannot be specified in combination with resourceAttributes, metadata: Invalid value: "));
        Assert.That(error.Message, Does.EndWith(": must be empty]"));
    }

    [Test]
    public void SubjectAccessReview_AsksAboutSpecsUser()
    {
        var authorizer = new Answering(AuthorizationResult.NoOpinion());
        var review = Parse("""{"spec":{"user":"bob","groups":["g"],"uid":"7","extra":{"scopes":["a"]},"resourceAttributes":{"verb":"list","resource":"pods","version":"v1"}}}""");

        var answer = AccessReviews.SubjectAccessReview(review, authorizer);

        var user = authorizer.Asked!.User;
        Assert.That((user.Name, user.Uid, user.Groups.Single(), user.Extra["scopes"].Single(), authorizer.Asked.ApiVersion), Is.EqualTo(("bob", "7", "g", "a", "v1")));
        Assert.That(answer["status"]!.ToJsonString(), Is.EqualTo("""{"allowed":false}"""));
    }

    [Test]
    public void SubjectAccessReview_NoUserNorGroup_422()
    {
        var error = Assert.Throws<ApiException>(() => AccessReviews.SubjectAccessReview(Parse("""{"spec":{"resourceAttributes":{"verb":"get"}}}"""), new Answering(AuthorizationResult.Allowed())));

        Assert.That(error!.Message, Is.EqualTo("SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified"));
    }

    [Test]
    public void LocalSubjectAccessReview_OtherNamespaceInSpec_422()
    {
        var review = Parse("""{"metadata":{"namespace":"x"},"spec":{"user":"bob","resourceAttributes":{"namespace":"y","verb":"get","resource":"pods"}}}""");

        var error = Assert.Throws<ApiException>(() => AccessReviews.LocalSubjectAccessReview(review, "x", new Answering(AuthorizationResult.Allowed())));

        Assert.That(error!.Message, Is.EqualTo("LocalSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes.namespace: Invalid value: \"y\": must match metadata.namespace"));
    }

    [Test]
    public void LocalSubjectAccessReview_NonResource_422()
    {
        var review = Parse("""{"metadata":{"namespace":"x"},"spec":{"user":"bob","nonResourceAttributes":{"path":"/x","verb":"get"}}}""");

        var error = Assert.Throws<ApiException>(() => AccessReviews.LocalSubjectAccessReview(review, "x", new Answering(AuthorizationResult.Allowed())));

        Assert.That(error!.Message, Does.EndWith("spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:\"/x\", Verb:\"get\"}: disallowed on this kind of request"));
    }

    [Test]
    public void SelfSubjectAccessReview_UnreadableLabelSelector_SaysItWasIgnored()
    {
        var review = Parse("""{"spec":{"resourceAttributes":{"verb":"list","resource":"pods","labelSelector":{"rawSelector":"a in (b"}}}}""");

        var answer = AccessReviews.SelfSubjectAccessReview(review, Jane, new Answering(AuthorizationResult.Allowed()));

        Assert.That(answer["status"]!["evaluationError"]!.GetValue<string>(), Is.EqualTo("spec.resourceAttributes.labelSelector ignored due to parse error"));
    }

    [Test]
    public void SelfSubjectAccessReview_SelectorWithNeitherForm_422()
    {
        var review = Parse("""{"spec":{"resourceAttributes":{"verb":"list","resource":"pods","fieldSelector":{}}}}""");

        var error = Assert.Throws<ApiException>(() => AccessReviews.SelfSubjectAccessReview(review, Jane, new Answering(AuthorizationResult.Allowed())));

        Assert.That(error!.Message, Does.EndWith("spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required"));
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private sealed class Answering(AuthorizationResult result) : IAuthorizer
    {
        public RequestAttributes? Asked { get; private set; }

        public AuthorizationResult Authorize(RequestAttributes attributes)
        {
            Asked = attributes;
            return result;
        }
    }
}
