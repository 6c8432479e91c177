using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// Answers the LISTs that need not read the store (a watch cache: resourceVersion "0" and
/// not-older-than reads). Null means "ask the store", which stays the home of consistent reads.
/// </summary>
public interface IListCache
{
    Task<ListPage?> TryListAsync(ResourceType type, string? ns, ListOptions options, Func<JsonObject, bool>? filter, CancellationToken cancellationToken);
}
