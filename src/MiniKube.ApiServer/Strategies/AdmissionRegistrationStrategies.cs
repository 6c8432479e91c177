using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// The strategies of admissionregistration.k8s.io/v1 (pkg/registry/admissionregistration/*/strategy.go):
/// cluster-scoped configurations with generation tracking, defaulted and validated by
/// <see cref="AdmissionRegistrationDefaults"/> and <see cref="AdmissionRegistrationValidation"/>
/// (policies and bindings by <see cref="AdmissionPolicyValidation"/>).
/// </summary>
public static class AdmissionRegistrationStrategies
{
    public static ResourceStrategy MutatingWebhookConfiguration { get; } = Configuration(
        AdmissionRegistrationDefaults.MutatingWebhookConfiguration,
        AdmissionRegistrationValidation.MutatingWebhookConfiguration,
        AdmissionRegistrationValidation.MutatingWebhookConfigurationUpdate);

    public static ResourceStrategy ValidatingWebhookConfiguration { get; } = Configuration(
        AdmissionRegistrationDefaults.ValidatingWebhookConfiguration,
        AdmissionRegistrationValidation.ValidatingWebhookConfiguration,
        AdmissionRegistrationValidation.ValidatingWebhookConfigurationUpdate);

    /// <summary>Its status (typeChecking, conditions) belongs to the status subresource.</summary>
    public static ResourceStrategy ValidatingAdmissionPolicy { get; } = new()
    {
        Defaults = AdmissionRegistrationDefaults.ValidatingAdmissionPolicy,
        CreateChecks = AdmissionPolicyValidation.Policy,
        UpdateChecks = AdmissionPolicyValidation.PolicyUpdate,
        TracksGeneration = true,
        OwnsStatus = true,
    };

    public static ResourceStrategy ValidatingAdmissionPolicyBinding { get; } = Configuration(
        AdmissionRegistrationDefaults.ValidatingAdmissionPolicyBinding,
        AdmissionPolicyValidation.Binding,
        AdmissionPolicyValidation.BindingUpdate);

    // Generation moves when the webhooks change: upstream's PrepareForUpdate bumps it on any change of them.
    private static ResourceStrategy Configuration(Action<JsonObject> defaults, CreateCheck create, UpdateCheck update) =>
        new() { Defaults = defaults, CreateChecks = create, UpdateChecks = update, TracksGeneration = true };
}
