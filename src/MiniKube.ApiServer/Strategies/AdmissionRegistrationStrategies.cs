using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// The strategies of admissionregistration.k8s.io/v1 (pkg/registry/admissionregistration/*/strategy.go):
/// cluster-scoped configurations with generation tracking, defaulted and validated by
/// <see cref="AdmissionRegistrationDefaults"/> and <see cref="AdmissionRegistrationValidation"/>.
/// </summary>
public static class AdmissionRegistrationStrategies
{
    public static ResourceStrategy MutatingWebhookConfiguration { get; } = new()
    {
        Defaults = AdmissionRegistrationDefaults.MutatingWebhookConfiguration,
        CreateChecks = AdmissionRegistrationValidation.MutatingWebhookConfiguration,
        UpdateChecks = AdmissionRegistrationValidation.MutatingWebhookConfigurationUpdate,
        TracksGeneration = true,
    };

    public static ResourceStrategy ValidatingWebhookConfiguration { get; } = new()
    {
        Defaults = AdmissionRegistrationDefaults.ValidatingWebhookConfiguration,
        CreateChecks = AdmissionRegistrationValidation.ValidatingWebhookConfiguration,
        UpdateChecks = AdmissionRegistrationValidation.ValidatingWebhookConfigurationUpdate,
        TracksGeneration = true,
    };
}
