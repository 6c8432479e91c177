using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// NodeRestriction's counterpart for the ingress data planes (<see cref="IngressNodeIdentity"/>):
/// what <c>NodeAuthorization/IngressNodeAuthorizer</c> allows without seeing the object, this keeps
/// to the node's own publication. An EndpointSlice a node's data plane creates or updates must be
/// its own <c>mkube-ingress-&lt;node&gt;</c>, carry the ingress service-name and managed-by labels
/// (so it can never join another Service's endpoints, e.g. the cluster DNS's) and name no other
/// node on its endpoints. Refusals are 403s, as NodeRestriction's. Only those users are restricted.
/// </summary>
public sealed class IngressNodeRestriction : IAdmissionPlugin
{
    public string Name => "IngressNodeRestriction";

    public Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation == AdmissionOperation.Delete
            || request.User is not { } user
            || !IngressNodeIdentity.IsIngressNode(user.Name, user.Groups, out var node)
            || request.Type is not { Group: "discovery.k8s.io", Name: "endpointslices" })
        {
            return Task.CompletedTask;
        }
        var slice = IngressNodeIdentity.SliceName(node);
        if (node.Length == 0 || request.Name != slice)
        {
            throw Forbidden(request, $"ingress node \"{node}\" may only write its own EndpointSlice \"{slice}\"");
        }
        var labels = request.Object.Obj("metadata").Obj("labels");
        if (labels.Str(WellKnownLabels.ServiceName) != IngressNodeIdentity.SliceServiceName || labels.Str(WellKnownLabels.EndpointSliceManagedBy) != IngressNodeIdentity.SliceManagedBy)
        {
            throw Forbidden(request, $"ingress node \"{node}\" must label its EndpointSlice {WellKnownLabels.ServiceName}={IngressNodeIdentity.SliceServiceName} and {WellKnownLabels.EndpointSliceManagedBy}={IngressNodeIdentity.SliceManagedBy}");
        }
        foreach (var endpoint in request.Object.Arr("endpoints") ?? [])
        {
            if (endpoint is JsonObject e && e.Str("nodeName") is { } other && other != node)
            {
                throw Forbidden(request, $"ingress node \"{node}\" cannot publish an endpoint of node \"{other}\"");
            }
        }
        return Task.CompletedTask;
    }

    private static ApiException Forbidden(AdmissionRequest request, string reason) =>
        ApiException.Forbidden(request.Type, request.Name.Length > 0 ? request.Name : "Unknown", reason);
}
