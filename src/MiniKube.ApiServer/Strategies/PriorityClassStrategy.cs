using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// PriorityClasses (pkg/registry/scheduling/priorityclass): configured in
/// <see cref="BuiltInStrategies.PriorityClass"/> like the simple kinds, plus what their REST
/// storage adds: the built-in system classes may not be deleted (a 403 before anything else
/// happens, dry run included). The one-default rule and pods' use of classes are the Priority
/// admission plugin's.
/// </summary>
public sealed class PriorityClassStrategy : ResourceStrategy
{
    public override DeleteDecision? BeginDelete(IApiResource resource, JsonObject pending, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var name = Objects.ObjectMeta.Name(pending) ?? "";
        return SchedulingValidation.IsSystemClass(name)
            ? throw ApiException.Forbidden(resource, name, "this is a system priority class and cannot be deleted")
            : null;
    }
}
