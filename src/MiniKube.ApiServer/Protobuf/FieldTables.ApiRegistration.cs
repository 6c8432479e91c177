using k8s.Models;

namespace MiniKube.ApiServer.Protobuf;

// Messages of apiregistration.k8s.io/v1. Field numbers and JSON names are the protobuf and json
// struct tags of kube-aggregator pkg/apis/apiregistration/v1/types.go.
internal static partial class FieldTables
{
    private static Dictionary<Type, string> ApiRegistrationMessages() => new()
    {
        [typeof(V1APIService)] = "1:metadata 2:spec 3:status",
        [typeof(V1APIServiceSpec)] = "1:service 2:group 3:version 4:insecureSkipTLSVerify 5:caBundle 7:groupPriorityMinimum? 8:versionPriority?",
        [typeof(Apiregistrationv1ServiceReference)] = "1:namespace 2:name 3:port",
        [typeof(V1APIServiceStatus)] = "1:conditions",
        [typeof(V1APIServiceCondition)] = "1:type? 2:status? 3:lastTransitionTime 4:reason 5:message",
    };
}
