using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Ingresses (pkg/registry/networking/ingress/strategy.go: status owned by /status, generation
/// tracked) plus the DefaultIngressClass admission plugin on create, over the classes in the store.
/// </summary>
public sealed class IngressStrategy : ResourceStrategy
{
    public IngressStrategy()
    {
        CreateChecks = NetworkingValidation.Ingress;
        OwnsStatus = true;
        TracksGeneration = true;
    }

    public override async Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(context);
        if (!DefaultIngressClass.Wants(obj))
        {
            return;
        }
        var classes = await context.ListAsync("networking.k8s.io", "ingressclasses", cancellationToken);
        if (DefaultIngressClass.Choose(classes) is { } name)
        {
            obj.Ensure("spec")["ingressClassName"] = name;
        }
    }

    public override IReadOnlyList<Errors.FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = base.ValidateStatusUpdate(obj, old).ToList();
        NetworkingValidation.IngressStatus(obj, errors);
        return errors;
    }
}
