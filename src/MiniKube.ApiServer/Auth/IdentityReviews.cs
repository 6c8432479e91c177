using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// The reviews of authentication.k8s.io/v1: SelfSubjectReview (pkg/registry/authentication/
/// selfsubjectreview, <c>kubectl auth whoami</c>) tells the requester who the server takes it
/// for, after impersonation; TokenReview (pkg/registry/authentication/tokenreview) authenticates
/// spec.token through the server's token authenticators for spec.audiences (the API server's
/// own when it names none). Nothing is stored.
/// </summary>
public static class IdentityReviews
{
    public const string Group = "authentication.k8s.io";

    public static JsonObject SelfSubjectReview(UserInfo requester, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(requester);
        return new JsonObject
        {
            ["kind"] = "SelfSubjectReview",
            ["apiVersion"] = Group + "/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = ObjectMeta.Timestamp(now) },
            ["status"] = new JsonObject { ["userInfo"] = UserInfoJson(requester) },
        };
    }

    public static async Task<JsonObject> TokenReviewAsync(JsonObject review, Authenticator authenticator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(authenticator);
        var spec = review["spec"] as JsonObject ?? [];
        var token = ObjectMeta.Str(spec["token"]) ?? "";
        if (token.Length == 0)
        {
            throw ApiException.BadRequest("token is required for TokenReview in authentication");
        }
        var audiences = AccessReviews.Strings(spec["audiences"]);
        if (audiences.Count == 0)
        {
            audiences = authenticator.ApiAudiences;
        }
        var result = await authenticator.AuthenticateTokenAsync(token, audiences, cancellationToken);
        if (result.IsAuthenticated && !result.Audiences.Any(audiences.Contains))
        {
            // An authenticator that accepted a token for audiences nobody asked for is broken, not the client.
            throw ApiException.Internal("error validating audiences");
        }
        // TokenReviewStatus: authenticated, audiences and error are omitempty; user (a struct) is always written.
        var status = new JsonObject();
        if (result.IsAuthenticated)
        {
            status["authenticated"] = true;
        }
        status["user"] = result.User is { } user ? UserInfoJson(user) : new JsonObject();
        if (result.Audiences.Count > 0)
        {
            status["audiences"] = new JsonArray([.. result.Audiences.Select(a => (JsonNode?)JsonValue.Create(a))]);
        }
        if (result.Error.Length > 0)
        {
            status["error"] = result.Error;
        }
        var answer = review.DeepClone().AsObject();
        answer["metadata"] ??= new JsonObject { ["creationTimestamp"] = null };
        answer["spec"] ??= spec.DeepClone();
        answer["status"] = status;
        return answer;
    }

    /// <summary>authentication/v1 UserInfo: every field omitempty.</summary>
    public static JsonObject UserInfoJson(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var json = new JsonObject();
        if (user.Name.Length > 0)
        {
            json["username"] = user.Name;
        }
        if (user.Uid.Length > 0)
        {
            json["uid"] = user.Uid;
        }
        if (user.Groups.Count > 0)
        {
            json["groups"] = Strings(user.Groups);
        }
        if (user.Extra.Count > 0)
        {
            var extra = new JsonObject();
            foreach (var (key, values) in user.Extra)
            {
                extra[key] = Strings(values);
            }
            json["extra"] = extra;
        }
        return json;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
