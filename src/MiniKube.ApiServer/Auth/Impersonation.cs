using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// The impersonation filter (apiserver pkg/endpoints/filters/impersonation.go), run between
/// authentication and authorization: <c>Impersonate-User</c>, <c>Impersonate-Group</c> (one
/// header per group), <c>Impersonate-Uid</c> and <c>Impersonate-Extra-&lt;percent-encoded key&gt;</c>
/// each need the caller's <c>impersonate</c> verb on users, groups, uids or userextras (on
/// serviceaccounts in the namespace for a <c>system:serviceaccount:</c> user); then the request
/// runs as the impersonated user everywhere after, and the headers are removed so nothing
/// downstream (an aggregated API server) sees them.
/// </summary>
public static class Impersonation
{
    public const string UserHeader = "Impersonate-User";
    public const string GroupHeader = "Impersonate-Group";
    public const string UidHeader = "Impersonate-Uid";
    public const string ExtraHeaderPrefix = "Impersonate-Extra-";

    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>
    /// The user <paramref name="request"/> runs as: <paramref name="caller"/> when it asks to
    /// impersonate no one. Throws 403 for a refused impersonation and 400 for groups, extras or
    /// a uid without a user.
    /// </summary>
    public static UserInfo Apply(HttpRequest request, UserInfo caller, IAuthorizer authorizer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(authorizer);
        // Nearly every request impersonates no one: one pass over the header names, nothing allocated but the enumerator.
        if (!AsksForAnyone(request.Headers))
        {
            return caller;
        }
        var asked = Requested(request.Headers);
        if (asked.Count == 0)
        {
            return caller;
        }
        var groupsGiven = request.Headers[GroupHeader].Count > 0;
        var username = "";
        var uid = "";
        var groups = new List<string>();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var target in asked)
        {
            var attributes = new RequestAttributes(caller, "impersonate")
            {
                IsResourceRequest = true,
                ApiGroup = target.Group,
                ApiVersion = target.Version,
                Resource = target.Resource,
                Subresource = target.Subresource,
                Namespace = target.Namespace,
                Name = target.Name,
            };
            switch (target.Resource)
            {
                case "serviceaccounts":
                    username = ServiceAccountPrefix + target.Namespace + ":" + target.Name;
                    if (!groupsGiven)
                    {
                        // A service account's groups are a fixed mapping (serviceaccount.MakeGroupNames).
                        groups = ["system:serviceaccounts", "system:serviceaccounts:" + target.Namespace];
                    }
                    break;
                case "users":
                    username = target.Name;
                    break;
                case "groups":
                    groups.Add(target.Name);
                    break;
                case "userextras":
                    extra[target.Subresource] = [.. extra.GetValueOrDefault(target.Subresource) ?? [], target.Name];
                    break;
                default:
                    uid = target.Name;
                    break;
            }
            if (authorizer.Authorize(attributes) is { IsAllowed: false } refused)
            {
                throw AuthorizerChain.Forbidden(attributes, refused.Reason);
            }
        }
        // Upstream adds system:authenticated unless the groups name it or system:unauthenticated,
        // and system:unauthenticated to an impersonated anonymous user.
        if (username != UserInfo.AnonymousName)
        {
            if (!groups.Contains(UserInfo.AuthenticatedGroup) && !groups.Contains(UserInfo.UnauthenticatedGroup))
            {
                groups.Add(UserInfo.AuthenticatedGroup);
            }
        }
        else if (!groups.Contains(UserInfo.UnauthenticatedGroup))
        {
            groups.Add(UserInfo.UnauthenticatedGroup);
        }
        foreach (var header in request.Headers.Keys.Where(IsImpersonationHeader).ToList())
        {
            request.Headers.Remove(header);
        }
        return new UserInfo(username, groups) { Uid = uid, Extra = extra };
    }

    /// <summary>Whether the request asks to impersonate anyone (kubectl's --as sends the headers on every request).</summary>
    public static bool IsImpersonationHeader(string header) =>
        header.Equals(UserHeader, StringComparison.OrdinalIgnoreCase) || header.Equals(GroupHeader, StringComparison.OrdinalIgnoreCase)
        || header.Equals(UidHeader, StringComparison.OrdinalIgnoreCase) || header.StartsWith(ExtraHeaderPrefix, StringComparison.OrdinalIgnoreCase);

    private static bool AsksForAnyone(IHeaderDictionary headers)
    {
        foreach (var (header, _) in headers)
        {
            if (IsImpersonationHeader(header))
            {
                return true;
            }
        }
        return false;
    }

    // buildImpersonationRequests: the user (or service account), then each group, each extra value and the uid.
    private static List<Target> Requested(IHeaderDictionary headers)
    {
        var asked = new List<Target>();
        var user = headers[UserHeader].FirstOrDefault() ?? "";
        if (user.Length > 0)
        {
            asked.Add(ServiceAccount(user) is var (ns, name) ? new Target("", "", "serviceaccounts", "", ns, name) : new Target("", "", "users", "", "", user));
        }
        foreach (var group in headers[GroupHeader])
        {
            asked.Add(new Target("", "", "groups", "", "", group ?? ""));
        }
        foreach (var (header, values) in headers)
        {
            if (!header.StartsWith(ExtraHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var key = UnescapeExtraKey(header[ExtraHeaderPrefix.Length..].ToLowerInvariant());
            foreach (var value in values)
            {
                asked.Add(new Target("authentication.k8s.io", "v1", "userextras", key, "", value ?? ""));
            }
        }
        var uid = headers[UidHeader].FirstOrDefault() ?? "";
        if (uid.Length > 0)
        {
            asked.Add(new Target("authentication.k8s.io", "v1", "uids", "", "", uid));
        }
        if (user.Length == 0 && asked.Count > 0)
        {
            // Upstream answers this with a 500 InternalError; it is the client's mistake, so a 400 here.
            var what = string.Join(", ", asked.Select(t => $"{t.Resource} \"{t.Name}\""));
            throw ApiException.BadRequest($"requested {what} without impersonating a user");
        }
        return asked;
    }

    // serviceaccount.SplitUsername: system:serviceaccount:<namespace>:<name>, both valid names.
    private static (string Namespace, string Name)? ServiceAccount(string user)
    {
        if (!user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = user[ServiceAccountPrefix.Length..].Split(':');
        if (parts.Length != 2 || NameRules.DnsLabel(parts[0], prefix: false).Count > 0 || NameRules.DnsSubdomain(parts[1], prefix: false).Count > 0)
        {
            return null;
        }
        return (parts[0], parts[1]);
    }

    // Extra keys travel percent-encoded (url.PathUnescape); a malformed escape is kept as it came.
    private static string UnescapeExtraKey(string encoded) => Uri.UnescapeDataString(encoded);

    private sealed record Target(string Group, string Version, string Resource, string Subresource, string Namespace, string Name);
}
