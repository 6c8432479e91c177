namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Who made a request, as kube-apiserver's user.Info: the name, the groups (an authenticated
/// user always carries <c>system:authenticated</c>), and optionally a uid and extra attributes
/// (service-account tokens and impersonation fill those).
/// </summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    public const string MastersGroup = "system:masters";
    public const string AuthenticatedGroup = "system:authenticated";
    public const string UnauthenticatedGroup = "system:unauthenticated";
    public const string AnonymousName = "system:anonymous";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The user's uid; empty when the authenticator knows none.</summary>
    public string Uid { get; init; } = "";

    /// <summary>Extra attributes by key (e.g. <c>authentication.kubernetes.io/pod-name</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = NoExtra;

    /// <summary>Whether the user is in <paramref name="group"/>.</summary>
    /// <remarks>Asked for every request (system:masters first): indexed, so it allocates no enumerator.</remarks>
    public bool InGroup(string group)
    {
        var groups = Groups;
        for (var i = 0; i < groups.Count; i++)
        {
            if (string.Equals(groups[i], group, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
