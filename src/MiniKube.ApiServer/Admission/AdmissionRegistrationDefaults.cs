using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Scheme defaults of admissionregistration.k8s.io/v1 (pkg/apis/admissionregistration/v1/defaults.go):
/// every webhook gets failurePolicy Fail, matchPolicy Equivalent, empty (match-all) namespace and
/// object selectors and a 10 s timeout; mutating ones reinvocationPolicy Never; rules scope "*";
/// service references port 443 (all pointers: only absent or null fields are filled). Policies
/// get failurePolicy Fail and the same match defaults in matchConstraints and a binding's matchResources; a paramRef parameterNotFoundAction Deny. sideEffects and admissionReviewVersions have no default in v1.
/// </summary>
internal static class AdmissionRegistrationDefaults
{
    public static void MutatingWebhookConfiguration(JsonObject obj) => Webhooks(obj, mutating: true);

    public static void ValidatingWebhookConfiguration(JsonObject obj) => Webhooks(obj, mutating: false);

    /// <summary>A policy: failurePolicy Fail and its matchConstraints defaulted as a webhook's match.</summary>
    public static void ValidatingAdmissionPolicy(JsonObject obj)
    {
        if (obj.Obj("spec") is not { } spec)
        {
            return;
        }
        spec.Default("failurePolicy", "Fail");
        MatchResources(spec.Obj("matchConstraints"));
    }

    /// <summary>A binding: its matchResources as a policy's, paramRef.parameterNotFoundAction Deny.</summary>
    public static void ValidatingAdmissionPolicyBinding(JsonObject obj)
    {
        MatchResources(obj.Obj("spec").Obj("matchResources"));
        obj.Obj("spec").Obj("paramRef")?.Default("parameterNotFoundAction", "Deny");
    }

    private static void MatchResources(JsonObject? match)
    {
        if (match is null)
        {
            return;
        }
        match.Default("matchPolicy", "Equivalent");
        match.Default("namespaceSelector", new JsonObject());
        match.Default("objectSelector", new JsonObject());
        foreach (var list in (string[])["resourceRules", "excludeResourceRules"])
        {
            foreach (var (_, rule) in match.Items(list))
            {
                rule.Default("scope", "*");
            }
        }
    }

    private static void Webhooks(JsonObject obj, bool mutating)
    {
        foreach (var (_, hook) in obj.Items("webhooks"))
        {
            hook.Default("failurePolicy", "Fail");
            hook.Default("matchPolicy", "Equivalent");
            hook.Default("namespaceSelector", new JsonObject());
            hook.Default("objectSelector", new JsonObject());
            hook.Default("timeoutSeconds", 10);
            if (mutating)
            {
                hook.Default("reinvocationPolicy", "Never");
            }
            foreach (var (_, rule) in hook.Items("rules"))
            {
                rule.Default("scope", "*");
            }
            if (hook.Obj("clientConfig").Obj("service") is { } service)
            {
                service.Default("port", 443);
            }
        }
    }
}
