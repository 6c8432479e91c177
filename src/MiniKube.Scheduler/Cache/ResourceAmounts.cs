
namespace MiniKube.Scheduler.Cache;

/// <summary>
/// Amounts of the resources the scheduler counts (framework.Resource in upstream's
/// pkg/scheduler/framework/types.go): milli-CPU, bytes of memory and ephemeral storage, and
/// "scalar" resources (extended resources such as example.com/gpu, hugepages-*) by name.
/// Mutable so a node's aggregate can be updated in place on every pod add and remove.
/// </summary>
internal sealed class ResourceAmounts
{
    public long MilliCpu { get; set; }

    public long Memory { get; set; }

    public long EphemeralStorage { get; set; }

    /// <summary>Other countable resources by name; null while there are none.</summary>
    public Dictionary<string, long>? Scalars { get; private set; }

    public bool IsZero => MilliCpu == 0 && Memory == 0 && EphemeralStorage == 0 && (Scalars is null || Scalars.Count == 0);

    public long Scalar(string name) => Scalars is not null && Scalars.TryGetValue(name, out var value) ? value : 0;

    /// <summary>Adds (sign 1) or subtracts (sign -1) <paramref name="other"/>.</summary>
    public void Add(ResourceAmounts other, int sign = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        MilliCpu += sign * other.MilliCpu;
        Memory += sign * other.Memory;
        EphemeralStorage += sign * other.EphemeralStorage;
        if (other.Scalars is null)
        {
            return;
        }
        foreach (var (name, value) in other.Scalars)
        {
            SetScalar(name, Scalar(name) + (sign * value));
        }
    }

    /// <summary>Adds a resource list (container requests, pod overhead).</summary>
    public void Add(IDictionary<string, ResourceQuantity>? list)
    {
        if (list is null)
        {
            return;
        }
        foreach (var (name, quantity) in list)
        {
            switch (name)
            {
                case "cpu":
                    MilliCpu += Quantities.Milli(quantity);
                    break;
                case "memory":
                    Memory += Quantities.Value(quantity);
                    break;
                case "ephemeral-storage":
                    EphemeralStorage += Quantities.Value(quantity);
                    break;
                default:
                    if (IsScalarResourceName(name))
                    {
                        SetScalar(name, Scalar(name) + Quantities.Value(quantity));
                    }
                    break;
            }
        }
    }

    /// <summary>Raises each amount to at least <paramref name="other"/>'s (init containers run one at a time).</summary>
    public void Max(ResourceAmounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorage = Math.Max(EphemeralStorage, other.EphemeralStorage);
        if (other.Scalars is null)
        {
            return;
        }
        foreach (var (name, value) in other.Scalars)
        {
            SetScalar(name, Math.Max(Scalar(name), value));
        }
    }

    /// <summary>
    /// Extended resources (a domain outside kubernetes.io), hugepages and attachable volumes, as
    /// upstream's schedutil.IsScalarResourceName; "pods" is counted separately.
    /// </summary>
    public static bool IsScalarResourceName(string name) =>
        name.StartsWith("hugepages-", StringComparison.Ordinal)
        || name.StartsWith("attachable-volumes-", StringComparison.Ordinal)
        || (name.Contains('/', StringComparison.Ordinal) && !name.StartsWith("kubernetes.io/", StringComparison.Ordinal) && !name.StartsWith("requests.", StringComparison.Ordinal));

    private void SetScalar(string name, long value)
    {
        Scalars ??= new Dictionary<string, long>(StringComparer.Ordinal);
        Scalars[name] = value;
    }
}
