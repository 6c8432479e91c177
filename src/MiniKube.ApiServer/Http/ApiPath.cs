using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>What an API path addresses.</summary>
public enum ApiPathKind
{
    /// <summary>/api, /apis, /api/v1, /apis/group[/version]: discovery.</summary>
    Discovery,
    /// <summary>A collection or one object of a served resource, possibly a subresource.</summary>
    Resource,
}

/// <summary>
/// A parsed REST path, following kube-apiserver's RequestInfoFactory
/// (apiserver pkg/endpoints/request/requestinfo.go): <c>/api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]]</c>
/// and <c>/apis/GROUP/VERSION/...</c>, where <c>/namespaces/NS/status</c> and <c>/finalize</c>
/// address the namespace itself.
/// </summary>
/// <param name="Kind">Discovery or resource.</param>
/// <param name="GroupVersion">For discovery: "", "v1", "apps", "apps/v1"; for resources the type's.</param>
/// <param name="Type">The resource, or null for discovery.</param>
/// <param name="Namespace">Namespace from the path, or null.</param>
/// <param name="Name">Object name, or null for a collection.</param>
/// <param name="Subresource">e.g. status, scale, or null.</param>
public sealed record ApiPath(ApiPathKind Kind, string GroupVersion, ResourceType? Type, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>The parsed path against the resources <paramref name="resources"/> serves now, or null when it addresses nothing (404).</summary>
    public static ApiPath? Parse(string path, ApiResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Trim('/').Split('/');
        string group;
        string version;
        int rest;
        if (parts[0] == "api")
        {
            if (parts.Length == 1)
            {
                return new ApiPath(ApiPathKind.Discovery, "", null, null, null, null);
            }
            (group, version, rest) = ("", parts[1], 2);
        }
        else if (parts[0] == "apis")
        {
            if (parts.Length <= 2)
            {
                return new ApiPath(ApiPathKind.Discovery, parts.Length == 1 ? "" : parts[1], null, null, null, null);
            }
            (group, version, rest) = (parts[1], parts[2], 3);
        }
        else
        {
            return null;
        }
        var groupVersion = group.Length == 0 ? version : $"{group}/{version}";
        var segments = parts.AsSpan(rest);
        if (segments.IsEmpty)
        {
            return new ApiPath(ApiPathKind.Discovery, groupVersion, null, null, null, null);
        }
        string? ns = null;
        if (segments[0] == "namespaces" && segments.Length > 2 && segments[2] is not ("status" or "finalize"))
        {
            ns = segments[1];
            segments = segments[2..];
        }
        if (segments.Length > 3 || segments.ToArray().Any(s => s.Length == 0))
        {
            return null;
        }
        var type = resources.Find(group, version, segments[0]);
        if (type is null || (ns is not null && !type.Namespaced))
        {
            return null;
        }
        var name = segments.Length > 1 ? Uri.UnescapeDataString(segments[1]) : null;
        var sub = segments.Length > 2 ? segments[2] : null;
        if (sub is not null && type.Subresources.All(s => s.Name != sub))
        {
            return null;
        }
        return new ApiPath(ApiPathKind.Resource, groupVersion, type, ns, name, sub);
    }
}
