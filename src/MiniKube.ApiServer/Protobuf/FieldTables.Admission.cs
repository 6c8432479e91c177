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
        [typeof(V1ValidatingAdmissionPolicy)] = "1:metadata 2:spec 3:status",
        [typeof(V1ValidatingAdmissionPolicySpec)] =
            "1:paramKind 2:matchConstraints 3:validations 4:failurePolicy? 5:auditAnnotations 6:matchConditions 7:variables",
        [typeof(V1ValidatingAdmissionPolicyStatus)] = "1:observedGeneration 2:typeChecking 3:conditions",
        [typeof(V1TypeChecking)] = "1:expressionWarnings",
        [typeof(V1ExpressionWarning)] = "2:fieldRef? 3:warning?",
        [typeof(V1ParamKind)] = "1:apiVersion? 2:kind?",
        [typeof(V1MatchResources)] = "1:namespaceSelector 2:objectSelector 3:resourceRules 4:excludeResourceRules 7:matchPolicy?",
        [typeof(V1NamedRuleWithOperations)] = "1:resourceNames 2>RuleWithOperations",
        [typeof(V1Validation)] = "1:expression? 2:message? 3:reason? 4:messageExpression?",
        [typeof(V1AuditAnnotation)] = "1:key? 2:valueExpression?",
        [typeof(V1Variable)] = "1:name? 2:expression?",
        [typeof(V1ValidatingAdmissionPolicyBinding)] = "1:metadata 2:spec",
        [typeof(V1ValidatingAdmissionPolicyBindingSpec)] = "1:policyName? 2:paramRef 3:matchResources 4:validationActions",
        [typeof(V1ParamRef)] = "1:name? 2:namespace? 3:selector 4:parameterNotFoundAction?",
    };
}
