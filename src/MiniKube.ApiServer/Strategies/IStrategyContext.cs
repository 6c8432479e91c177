using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// What a strategy may ask of the API server it runs in during one write: which resource it is
/// writing (for errors), the server's Service allocator, and reads of other resources (as
/// upstream's admission plugins use listers). The registry provides it.
/// </summary>
public interface IStrategyContext
{
    /// <summary>The resource being written, as errors name it.</summary>
    IApiResource Resource { get; }

    /// <summary>Cluster IPs and node ports of this cluster.</summary>
    ServiceAllocator Allocator { get; }

    /// <summary>Every stored object of a cluster-scoped resource, e.g. ("storage.k8s.io", "storageclasses").</summary>
    Task<IReadOnlyList<JsonObject>> ListAsync(string group, string resource, CancellationToken cancellationToken);
}
