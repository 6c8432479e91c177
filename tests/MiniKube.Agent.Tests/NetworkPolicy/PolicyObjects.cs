using k8s.Models;

namespace MiniKube.Agent.Tests.NetworkPolicy;

/// <summary>Short builders for the API objects the policy tests feed the compiler.</summary>
internal static class PolicyObjects
{
    public static V1Pod Pod(string ns, string name, string ip, string node = "node-a", IDictionary<string, string>? labels = null, params V1ContainerPort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, Labels = labels ?? new Dictionary<string, string>() },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Ports = [.. ports] }] },
        Status = new V1PodStatus { PodIP = ip, Phase = "Running" },
    };

    public static V1Namespace Namespace(string name, IDictionary<string, string>? labels = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = name } } };

    public static V1LabelSelector Labels(params (string Key, string Value)[] labels) =>
        new() { MatchLabels = labels.ToDictionary(l => l.Key, l => l.Value) };

    /// <summary>A policy in <paramref name="ns"/> selecting <paramref name="selector"/> (all pods when null) with the rules given; no policyTypes, so they are defaulted.</summary>
    public static V1NetworkPolicy Policy(string ns, string name, V1LabelSelector? selector = null, IList<V1NetworkPolicyIngressRule>? ingress = null, IList<V1NetworkPolicyEgressRule>? egress = null, params string[] types) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new V1NetworkPolicySpec { PodSelector = selector ?? new V1LabelSelector(), Ingress = ingress, Egress = egress, PolicyTypes = types.Length > 0 ? types : null },
    };

    public static V1NetworkPolicyIngressRule From(params V1NetworkPolicyPeer[] peers) => new() { FromProperty = peers };

    public static V1NetworkPolicyPeer PodPeer(V1LabelSelector? pods = null, V1LabelSelector? namespaces = null) => new() { PodSelector = pods, NamespaceSelector = namespaces };

    public static V1NetworkPolicyPeer Block(string cidr, params string[] except) => new() { IpBlock = new V1IPBlock { Cidr = cidr, Except = except.Length > 0 ? except : null } };
}
