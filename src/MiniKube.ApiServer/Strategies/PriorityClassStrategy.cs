using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// PriorityClasses (pkg/registry/scheduling/priorityclass strategy.go and storage.go): defaulted
/// and validated by <see cref="SchedulingValidation"/>, metadata.generation 1 from the create on
/// (nothing of theirs is a spec, so it never moves), and the built-in system classes may not be
/// deleted (the REST storage's Delete refuses them with 403 before anything else happens).
/// The one-default rule and pods' use of classes are the Priority admission plugin's.
/// </summary>
public sealed class PriorityClassStrategy : ResourceStrategy
{
    public PriorityClassStrategy()
    {
        Defaults = SchedulingValidation.Defaults;
        CreateChecks = SchedulingValidation.PriorityClass;
        UpdateChecks = SchedulingValidation.PriorityClassUpdate;
        TracksGeneration = true;
    }

    public override DeleteDecision? BeginDelete(IApiResource resource, JsonObject pending, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var name = Objects.ObjectMeta.Name(pending) ?? "";
        if (SchedulingValidation.IsSystemClass(name))
        {
            throw ApiException.Forbidden(resource, name, "this is a system priority class and cannot be deleted");
        }
        return null;
    }
}
