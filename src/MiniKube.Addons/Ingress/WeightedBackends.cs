using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace MiniKube.Addons.Ingress;

/// <summary>One backend of a weighted rule: its destinations, its share, and the status to answer instead when it cannot be reached (500: an invalid reference; 503: no ready endpoint).</summary>
public sealed record WeightedBackend(string Key, int Weight, IReadOnlyDictionary<string, DestinationConfig> Destinations, int? Status = null);

/// <summary>
/// Traffic splitting (the Gateway API's backendRef weights) as a YARP load-balancing policy:
/// every destination of a weighted cluster carries its backend's key and weight in its metadata;
/// a request first picks a backend with probability weight / total over the backends that have
/// an available destination, then one of its destinations at random. A backend of weight 0 is not
/// in the cluster at all, so it is never chosen. A backend that cannot be reached is one
/// placeholder destination carrying the status to answer (see <see cref="DirectResponses"/>), so
/// that share of the traffic gets that status, as the spec asks, and the rest is unaffected.
/// </summary>
public sealed class WeightedBackends : ILoadBalancingPolicy
{
    public const string PolicyName = "MkubeWeighted";

    internal const string BackendKey = "mkube.io/backend";
    internal const string WeightKey = "mkube.io/weight";
    internal const string StatusKey = "mkube.io/status";

    public string Name => PolicyName;

    /// <summary>A cluster of <paramref name="backends"/> under this policy (weight-0 backends left out).</summary>
    internal static ClusterConfig Cluster(string id, IReadOnlyList<WeightedBackend> backends, BackendProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        foreach (var backend in backends.Where(b => b.Weight > 0))
        {
            var weight = backend.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var status = backend.Status ?? (backend.Destinations.Count == 0 ? StatusCodes.Status503ServiceUnavailable : null);
            if (status is { } code)
            {
                // Never dialled: DirectResponses answers for it.
                destinations[$"{backend.Key}/status"] = new DestinationConfig
                {
                    Address = "http://127.0.0.1:9",
                    Metadata = new Dictionary<string, string> { [BackendKey] = backend.Key, [WeightKey] = weight, [StatusKey] = code.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                };
                continue;
            }
            foreach (var (key, destination) in backend.Destinations)
            {
                destinations[$"{backend.Key}/{key}"] = destination with { Metadata = new Dictionary<string, string> { [BackendKey] = backend.Key, [WeightKey] = weight } };
            }
        }
        return BackendClusters.Cluster(id, destinations, protocol, PolicyName);
    }

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        ArgumentNullException.ThrowIfNull(availableDestinations);
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }
        // Backends in the order first seen, each with its weight and destinations.
        var backends = new List<(string Key, int Weight, List<DestinationState> Destinations)>();
        var total = 0;
        foreach (var destination in availableDestinations)
        {
            var metadata = destination.Model.Config.Metadata;
            var key = metadata?.GetValueOrDefault(BackendKey) ?? "";
            var index = backends.FindIndex(b => b.Key == key);
            if (index < 0)
            {
                var weight = int.TryParse(metadata?.GetValueOrDefault(WeightKey), out var parsed) && parsed > 0 ? parsed : 1;
                backends.Add((key, weight, []));
                total += weight;
                index = backends.Count - 1;
            }
            backends[index].Destinations.Add(destination);
        }
        var ticket = Random.Shared.Next(total);
        foreach (var (_, weight, destinations) in backends)
        {
            if (ticket < weight)
            {
                return destinations[Random.Shared.Next(destinations.Count)];
            }
            ticket -= weight;
        }
        return null;
    }
}
