using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>A check of a new object, adding to the list of field errors.</summary>
public delegate void CreateCheck(JsonObject obj, List<FieldError> errors);

/// <summary>A check of an update against the stored object.</summary>
public delegate void UpdateCheck(JsonObject obj, JsonObject old, List<FieldError> errors);

/// <summary>
/// The strategy of a kind without rules of its own, and the base of those with some: the
/// ObjectMeta checks with the kind's name rule, then the kind's checks; defaulting from one
/// function; for kinds with a status subresource, status dropped on create and kept on main
/// writes (what every upstream strategy's PrepareForCreate/PrepareForUpdate does by hand).
/// Every built-in kind's instance has its properties set in <see cref="BuiltInStrategies"/>;
/// a kind with behaviour of its own is an instance of a derived class that overrides the rest.
/// </summary>
public class ResourceStrategy : IResourceStrategy
{
    /// <summary>For kinds with no rules beyond ObjectMeta with DNS-subdomain names.</summary>
    public static ResourceStrategy Plain { get; } = new();

    /// <summary>How names and generateNames are checked.</summary>
    public NameRule Names { get; init; } = NameRules.DnsSubdomain;

    /// <summary>Scheme defaults, or null when the kind has none.</summary>
    public Action<JsonObject>? Defaults { get; init; }

    /// <summary>Checks beyond ObjectMeta on create.</summary>
    public CreateCheck? CreateChecks { get; init; }

    /// <summary>Checks beyond ObjectMeta on update; when null, <see cref="CreateChecks"/> on the new object.</summary>
    public UpdateCheck? UpdateChecks { get; init; }

    /// <summary>Checks of a /status write beyond ObjectMeta (a ResourceQuota's amounts), or null.</summary>
    public CreateCheck? StatusChecks { get; init; }

    /// <summary>True when .status belongs to the status subresource: dropped on create, kept on main writes.</summary>
    public bool OwnsStatus { get; init; }

    public bool TracksGeneration { get; init; }

    public bool ReturnsDeletedObject { get; init; }

    public virtual bool ChangesGeneration(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        return !JsonNode.DeepEquals(obj["spec"], old["spec"]);
    }

    public virtual void ApplyDefaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Defaults?.Invoke(obj);
    }

    public virtual void PrepareForCreate(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (OwnsStatus)
        {
            // Status belongs to controllers: a created object starts without one.
            obj.Remove("status");
        }
    }

    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        if (!OwnsStatus)
        {
            return;
        }
        if (old["status"] is { } oldStatus)
        {
            obj["status"] = oldStatus.DeepClone();
        }
        else
        {
            obj.Remove("status");
        }
    }

    public virtual void PrepareForStatusUpdate(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        // Status writes change .status only (and nothing of spec or metadata).
        var status = obj["status"]?.DeepClone();
        foreach (var (key, _) in obj.ToArray())
        {
            obj.Remove(key);
        }
        foreach (var (key, value) in old)
        {
            obj[key] = value?.DeepClone();
        }
        obj["status"] = status;
    }

    public virtual IReadOnlyList<FieldError> Validate(JsonObject obj, bool namespaced)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        MetaValidation.Validate(obj, namespaced, Names, errors);
        CreateChecks?.Invoke(obj, errors);
        return errors;
    }

    public virtual IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = MetaUpdateErrors(obj, old);
        if (UpdateChecks is not null)
        {
            UpdateChecks(obj, old, errors);
        }
        else
        {
            CreateChecks?.Invoke(obj, errors);
        }
        return errors;
    }

    /// <summary>
    /// The ObjectMeta update rules, then <see cref="StatusChecks"/>. Upstream's status strategies
    /// add little beyond that for the served kinds, and the spec is not the writer's to change there.
    /// </summary>
    public virtual IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = MetaUpdateErrors(obj, old);
        StatusChecks?.Invoke(obj, errors);
        return errors;
    }

    /// <summary>Nothing by default, as before such subresources existed.</summary>
    public virtual void PrepareForSubresourceUpdate(string subresource, JsonObject obj, JsonObject old)
    {
    }

    public virtual IReadOnlyList<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject obj, JsonObject old) => ValidateUpdate(obj, old);

    private static List<FieldError> MetaUpdateErrors(JsonObject obj, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var errors = new List<FieldError>();
        MetaValidation.ValidateUpdate(obj, old, errors);
        return errors;
    }

    public virtual void Canonicalize(JsonObject obj)
    {
    }

    public virtual Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task BeginWriteAsync(JsonObject obj, JsonObject? old, IStrategyContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task ReleaseAsync(JsonObject held, JsonObject? kept, IStrategyContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual long GracePeriodSeconds(JsonObject obj, long? requested) => 0;

    public virtual DeleteDecision? BeginDelete(IApiResource resource, JsonObject pending, DateTimeOffset now) => null;
}
