namespace MiniKube.ApiServer.Tables;

/// <summary>What each Table row's <c>object</c> holds (metav1.IncludeObjectPolicy).</summary>
public enum IncludeObject
{
    /// <summary>No object.</summary>
    None,

    /// <summary>A PartialObjectMetadata with the full metadata; the default.</summary>
    Metadata,

    /// <summary>The full object (kubectl asks for it with <c>--sort-by</c>).</summary>
    Object,
}

/// <summary>
/// How a Table is rendered: the <c>includeObject</c> and <c>noHeaders</c> query parameters, and the
/// meta.k8s.io version the client negotiated (v1 or v1beta1; the Table and its
/// PartialObjectMetadata rows carry it).
/// </summary>
public sealed record TableOptions
{
    public IncludeObject IncludeObject { get; init; } = IncludeObject.Metadata;

    /// <summary>Omit columnDefinitions (watch events after the first, or <c>?noHeaders=true</c>).</summary>
    public bool NoHeaders { get; init; }

    /// <summary>"v1" or "v1beta1".</summary>
    public string Version { get; init; } = "v1";

    public string ApiVersion => "meta.k8s.io/" + Version;

    /// <summary>
    /// Reads the query parameters. An unknown includeObject value throws <see cref="ArgumentException"/>
    /// with upstream's message (<c>unrecognized includeObject value: "x"</c>), which the caller
    /// answers with 400 BadRequest.
    /// </summary>
    public static TableOptions FromQuery(string? includeObject, string? noHeaders, string version = "v1") => new()
    {
        IncludeObject = includeObject switch
        {
            null or "" or "Metadata" => IncludeObject.Metadata,
            "None" => IncludeObject.None,
            "Object" => IncludeObject.Object,
            _ => throw new ArgumentException($"unrecognized includeObject value: \"{includeObject}\"", nameof(includeObject)),
        },
        // Go strconv.ParseBool spellings of true.
        NoHeaders = noHeaders is "1" or "t" or "T" or "true" or "TRUE" or "True",
        Version = version,
    };
}
