using k8s.Models;

namespace MiniKube.ApiServer.Protobuf;

// Messages of admissionregistration.k8s.io/v1. Field numbers and JSON names are the protobuf and
// json struct tags of kubernetes/api admissionregistration/v1/types.go.
internal static partial class FieldTables
{
    private static Dictionary<Type, string> AdmissionMessages() => new()
    {
        [typeof(V1MutatingWebhookConfiguration)] = "1:metadata 2:webhooks",
        [typeof(V1MutatingWebhook)] =
            "1:name? 2:clientConfig 3:rules 4:failurePolicy? 9:matchPolicy? 5:namespaceSelector 11:objectSelector " +
            "6:sideEffects? 7:timeoutSeconds? 8:admissionReviewVersions 10:reinvocationPolicy? 12:matchConditions",
        [typeof(V1ValidatingWebhookConfiguration)] = "1:metadata 2:webhooks",
        [typeof(V1ValidatingWebhook)] =
            "1:name? 2:clientConfig 3:rules 4:failurePolicy? 9:matchPolicy? 5:namespaceSelector 10:objectSelector " +
            "6:sideEffects? 7:timeoutSeconds? 8:admissionReviewVersions 11:matchConditions",
        [typeof(Admissionregistrationv1WebhookClientConfig)] = "3:url? 1:service 2:caBundle",
        [typeof(Admissionregistrationv1ServiceReference)] = "1:namespace? 2:name? 3:path? 4:port?",
        [typeof(V1RuleWithOperations)] = "1:operations 2>Rule",
        [typeof(V1MatchCondition)] = "1:name? 2:expression?",
    };
}
