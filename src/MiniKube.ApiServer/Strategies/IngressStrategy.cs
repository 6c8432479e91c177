using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Ingresses (pkg/registry/networking/ingress/strategy.go: status owned by /status, generation
/// tracked) plus the DefaultIngressClass admission plugin on create, over the classes in the store.
/// </summary>
public sealed class IngressStrategy : ResourceStrategy
{
    public override Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken) =>
        DefaultClassAdmission.AdmitAsync(obj, context, ("networking.k8s.io", "ingressclasses"), DefaultIngressClass.Wants, DefaultIngressClass.Choose,
            static (ingress, name) => ingress.Ensure("spec")["ingressClassName"] = name, cancellationToken);

    public override IReadOnlyList<Errors.FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = base.ValidateStatusUpdate(obj, old).ToList();
        NetworkingValidation.IngressStatus(obj, errors);
        return errors;
    }
}
