using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>One of the classes every cluster has (pkg/apis/scheduling/v1 helpers.go systemPriorityClasses).</summary>
internal sealed record SystemPriorityClass(string Name, int Value, string Description);

/// <summary>
/// scheduling.k8s.io/v1 PriorityClass as v1.32 defaults and checks it: pkg/apis/scheduling/v1
/// defaults.go (preemptionPolicy), pkg/apis/scheduling/validation (the reserved "system-" prefix,
/// the highest value a user may give, value and preemptionPolicy immutable), and the constants of
/// pkg/apis/scheduling types.go. The built-in classes are listed here once, for validation, the
/// API server's bootstrap, the refusal to delete them and the Priority admission plugin.
/// </summary>
internal static class SchedulingValidation
{
    /// <summary>Names starting with this are reserved for <see cref="SystemClasses"/>.</summary>
    public const string SystemPrefix = "system-";

    /// <summary>The largest value a class outside <see cref="SystemClasses"/> may have (HighestUserDefinablePriority).</summary>
    public const int HighestUserDefinablePriority = 1_000_000_000;

    /// <summary>The base of the system classes' values (SystemCriticalPriority).</summary>
    public const int SystemCriticalPriority = 2 * HighestUserDefinablePriority;

    /// <summary>A pod's priority when it names no class and no class is the global default.</summary>
    public const int DefaultPriority = 0;

    /// <summary>What a class without preemptionPolicy gets, and a pod without any class.</summary>
    public const string PreemptLowerPriority = "PreemptLowerPriority";

    public static IReadOnlyList<SystemPriorityClass> SystemClasses { get; } =
    [
        new("system-node-critical", SystemCriticalPriority + 1000, "Used for system critical pods that must not be moved from their current node."),
        new("system-cluster-critical", SystemCriticalPriority, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    public static bool IsSystemClass(string name) => SystemClasses.Any(c => c.Name == name);

    /// <summary>SetDefaults_PriorityClass; value is a non-pointer int32 without omitempty, so Go always writes it.</summary>
    public static void Defaults(JsonObject obj)
    {
        obj.Default("value", 0);
        obj.DefaultString("preemptionPolicy", PreemptLowerPriority);
    }

    /// <summary>ValidatePriorityClass, after the ObjectMeta checks.</summary>
    public static void PriorityClass(JsonObject obj, List<FieldError> errors)
    {
        var name = obj.Obj("metadata").StrOrEmpty("name");
        var value = obj.Int("value") ?? 0;
        if (name.StartsWith(SystemPrefix, StringComparison.Ordinal))
        {
            if (UnknownSystemClass(name, value, obj.Bool("globalDefault") == true) is { } problem)
            {
                errors.Add(FieldError.Forbidden(FieldPath.Of("metadata", "name"),
                    $"priority class names with '{SystemPrefix}' prefix are reserved for system use only. error: {problem}"));
            }
        }
        else if (value > HighestUserDefinablePriority)
        {
            errors.Add(FieldError.Forbidden(FieldPath.Of("value"), $"maximum allowed value of a user defined priority is {HighestUserDefinablePriority}"));
        }
        if (obj.Str("preemptionPolicy") is { } policy)
        {
            ContainerValidation.Enum(policy, PodSpecValidation.PreemptionPolicies, FieldPath.Of("preemptionPolicy"), errors);
        }
    }

    /// <summary>ValidatePriorityClassUpdate: only value and preemptionPolicy beyond ObjectMeta, both immutable.</summary>
    public static void PriorityClassUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        if ((obj.Int("value") ?? 0) != (old.Int("value") ?? 0))
        {
            errors.Add(FieldError.Forbidden(FieldPath.Of("value"), "may not be changed in an update."));
        }
        ImmutableFields.Check(obj, old, errors, "preemptionPolicy");
    }

    // IsKnownSystemPriorityClass: the name, value and globalDefault of a built-in class, or why not.
    private static string? UnknownSystemClass(string name, long value, bool globalDefault)
    {
        if (SystemClasses.FirstOrDefault(c => c.Name == name) is not { } known)
        {
            return $"{name} is not a known system priority class";
        }
        if (known.Value != value)
        {
            return $"value of {name} PriorityClass must be {known.Value}";
        }
        return globalDefault ? $"globalDefault of {name} PriorityClass must be false" : null;
    }
}
