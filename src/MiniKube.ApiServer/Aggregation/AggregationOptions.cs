namespace MiniKube.ApiServer.Aggregation;

/// <summary>How often the aggregator looks at its APIServices and how long a check may take.</summary>
public sealed class AggregationOptions
{
    /// <summary>How often changed APIServices, Services and Endpoints are looked for (upstream reacts to informer events).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Every service-backed APIService is checked at least this often (upstream's 30 s resync).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The budget of one discovery check or fetch (upstream's 5 s client timeout).</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
