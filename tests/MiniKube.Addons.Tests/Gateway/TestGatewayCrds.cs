using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.Addons.Tests.Gateway;

/// <summary>
/// Test-only stand-ins for the Gateway API CRDs (any fields kept, a status subresource), until
/// the server installs the real ones at start; then these are not needed.
/// </summary>
internal static class TestGatewayCrds
{
    public static async Task CreateAsync(IKubernetes admin)
    {
        await CreateAsync(admin, "gatewayclasses", "GatewayClass", "Cluster", "v1");
        await CreateAsync(admin, "gateways", "Gateway", "Namespaced", "v1");
        await CreateAsync(admin, "httproutes", "HTTPRoute", "Namespaced", "v1");
        await CreateAsync(admin, "grpcroutes", "GRPCRoute", "Namespaced", "v1");
        await CreateAsync(admin, "referencegrants", "ReferenceGrant", "Namespaced", "v1beta1");
        // Served once discovery lists them.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                await admin.CustomObjects.ListClusterCustomObjectAsync("gateway.networking.k8s.io", "v1beta1", "referencegrants");
                await admin.CustomObjects.ListClusterCustomObjectAsync("gateway.networking.k8s.io", "v1", "gatewayclasses");
                return;
            }
            catch (HttpOperationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static Task<V1CustomResourceDefinition> CreateAsync(IKubernetes admin, string plural, string kind, string scope, string version) =>
        admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            // A *.k8s.io group needs the approval annotation; the real CRDs carry this one.
            Metadata = new V1ObjectMeta { Name = $"{plural}.gateway.networking.k8s.io", Annotations = new Dictionary<string, string> { ["api-approved.kubernetes.io"] = "https://github.com/kubernetes-sigs/gateway-api/pull/2466" } },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "gateway.networking.k8s.io",
                Scope = scope,
                Names = new V1CustomResourceDefinitionNames { Plural = plural, Kind = kind, Singular = kind.ToLowerInvariant(), ListKind = kind + "List" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = version,
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new V1JSONSchemaProps
                            {
                                Type = "object",
                                Properties = new Dictionary<string, V1JSONSchemaProps>
                                {
                                    ["spec"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                                    ["status"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                                },
                            },
                        },
                        Subresources = new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                    },
                ],
            },
        });
}
