namespace MiniKube.Api;

/// <summary>
/// The API verb an HTTP method stands for on a resource request, before list, watch and
/// deletecollection are told apart (apiserver's RequestInfoFactory; the kubelet's auth.go maps
/// its own API the same way). An unknown method gives "", which no rule grants.
/// </summary>
public static class ApiVerbs
{
    public static string FromHttpMethod(string method) => method?.ToUpperInvariant() switch
    {
        "POST" => "create",
        "GET" or "HEAD" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "",
    };
}
