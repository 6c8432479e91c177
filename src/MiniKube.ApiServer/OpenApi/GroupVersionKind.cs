
namespace MiniKube.ApiServer.OpenApi;

/// <summary>A kind as the <c>x-kubernetes-group-version-kind</c> extension names it.</summary>
internal readonly record struct GroupVersionKind(string Group, string Version, string Kind)
{
    public JsonObject ToJson() => new()
    {
        ["group"] = Group,
        ["kind"] = Kind,
        ["version"] = Version,
    };
}
