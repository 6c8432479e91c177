using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// The create-only, never-stored resources of authorization.k8s.io and authentication.k8s.io:
/// a POST of a review answers 201 with the review's status filled in by <c>Auth/</c> (access
/// and rules reviews through the server's authorizer, identity reviews through its
/// authenticator). Like any create, the body's kind must be the URL's and its namespace the
/// URL's (rest.EnsureObjectNamespaceMatchesRequestNamespace); the POST itself was authorized
/// as a create of the review resource, so SubjectAccessReview and TokenReview need the rights
/// system:auth-delegator grants.
/// </summary>
internal sealed class ReviewHandler(IAuthorizer authorizer, Authenticator authenticator, TimeProvider clock)
{
    /// <summary>Whether <paramref name="type"/> is a review this handler answers (the two groups serve nothing else).</summary>
    public static bool Serves(ResourceType? type) =>
        type is { Custom: null, Group: AccessReviews.Group or IdentityReviews.Group };

    public async Task HandleAsync(HttpContext context, ApiPath route, UserInfo user)
    {
        var type = route.Type!;
        if (route.Name is not null || route.Subresource is not null || (type.Namespaced && route.Namespace is null))
        {
            throw ApiException.PathNotFound();
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed();
        }
        var review = await RequestBody.ReadObjectAsync(context);
        ResourceHandler.CheckKind(type, review);
        MatchNamespace(review, type.Namespaced ? route.Namespace! : "");
        var answer = type.Kind switch
        {
            "SelfSubjectAccessReview" => AccessReviews.SelfSubjectAccessReview(review, user, authorizer),
            "SubjectAccessReview" => AccessReviews.SubjectAccessReview(review, authorizer),
            "LocalSubjectAccessReview" => AccessReviews.LocalSubjectAccessReview(review, route.Namespace!, authorizer),
            "SelfSubjectRulesReview" => RulesReview.SelfSubjectRulesReview(review, user, authorizer as IRuleResolver),
            "SelfSubjectReview" => IdentityReviews.SelfSubjectReview(user, clock.GetUtcNow()),
            "TokenReview" => await IdentityReviews.TokenReviewAsync(review, authenticator, context.RequestAborted),
            _ => throw ApiException.MethodNotAllowed(),
        };
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status201Created, answer);
    }

    // The object takes the URL's namespace (none for cluster-scoped kinds); a different one is refused.
    private static void MatchNamespace(JsonObject review, string ns)
    {
        var metadata = review["metadata"] as JsonObject;
        var given = Objects.ObjectMeta.Str(metadata?["namespace"]) ?? "";
        if (given == ns || metadata is null && ns.Length == 0)
        {
            return;
        }
        if (given.Length > 0 && ns.Length > 0)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        if (metadata is null)
        {
            metadata = new JsonObject { ["creationTimestamp"] = null };
            review["metadata"] = metadata;
        }
        if (ns.Length == 0)
        {
            metadata.Remove("namespace");
        }
        else
        {
            metadata["namespace"] = ns;
        }
    }
}
