using k8s.Models;

namespace MiniKube.Agent.Bench;

/// <summary>
/// The objects of the network policy benchmark: 100 namespaces of 20 pods (2,000 pods, 112 of
/// them on the benchmark's node) and 10 policies each (1,000), every policy with an ingress rule
/// (podSelector + namespaceSelector peers, port 80 and a named port) and an egress rule (an
/// ipBlock with except); plus the three pods that are real network namespaces (client in
/// <c>front</c>, server in <c>web</c>, other in <c>misc</c>). Deterministic: equal calls give equal objects.
/// The peers repeat (10 ingress peer selectors, 10 ipBlocks), so rules share sets; with
/// <c>distinctPeers</c> every policy's peers carry a term of their own that selects the same pods
/// (<c>app notin (x-NS-K)</c>, an except of its own), so no two rules share a set: the worst case.
/// </summary>
public static class NetpolWorkload
{
    public const string Node = "bench-node";
    public const int Namespaces = 100;
    public const int PodsPerNamespace = 20;
    public const int PoliciesPerNamespace = 10;

    public static List<V1Namespace> AllNamespaces() =>
    [
        .. Enumerable.Range(0, Namespaces).Select(n => Namespace($"ns-{n:D3}", ("team", $"t{n % 10}"))),
        Namespace("front", ("team", "front")),
        Namespace("web"),
        Namespace("misc"),
    ];

    /// <summary>The generated pods; the real ones are added by the caller with their addresses.</summary>
    public static List<V1Pod> GeneratedPods()
    {
        var pods = new List<V1Pod>();
        for (var n = 0; n < Namespaces; n++)
        {
            for (var p = 0; p < PodsPerNamespace; p++)
            {
                // 100 + 12 local pods: the first of every namespace and the second of the first twelve.
                var local = p == 0 || (p == 1 && n < 12);
                pods.Add(Pod($"ns-{n:D3}", $"pod-{p:D2}", $"10.200.{n}.{p + 2}", local ? Node : "other-node", ("app", $"a{p % 5}"), ("role", $"r{p % 2}")));
            }
        }
        return pods;
    }

    public static V1Pod Pod(string ns, string name, string ip, string node, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] }] },
        Status = new V1PodStatus { PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }], Phase = "Running" },
    };

    public static List<V1NetworkPolicy> Policies(bool distinctPeers)
    {
        var policies = new List<V1NetworkPolicy>();
        for (var n = 0; n < Namespaces; n++)
        {
            for (var k = 0; k < PoliciesPerNamespace; k++)
            {
                policies.Add(Policy($"ns-{n:D3}", $"pol-{k:D2}", port: 80, distinctPeers));
            }
        }
        return policies;
    }

    /// <summary>One generated policy; the benchmark's change writes it again with another <paramref name="port"/>.</summary>
    public static V1NetworkPolicy Policy(string ns, string name, int port, bool distinctPeers)
    {
        var k = int.Parse(name[4..], CultureInfo.InvariantCulture);
        var own = $"x-{ns}-{k}";
        return new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = $"a{k % 5}" } },
                PolicyTypes = ["Ingress", "Egress"],
                Ingress =
                [
                    new V1NetworkPolicyIngressRule
                    {
                        FromProperty =
                        [
                            new V1NetworkPolicyPeer
                            {
                                PodSelector = new V1LabelSelector
                                {
                                    MatchLabels = new Dictionary<string, string> { ["role"] = $"r{k % 2}" },
                                    MatchExpressions = distinctPeers ? [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "NotIn", Values = [own] }] : null,
                                },
                                NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = $"t{k % 10}" } },
                            },
                        ],
                        Ports = [new V1NetworkPolicyPort { Port = port, Protocol = "TCP" }, new V1NetworkPolicyPort { Port = "http", Protocol = "TCP" }],
                    },
                ],
                Egress =
                [
                    new V1NetworkPolicyEgressRule
                    {
                        To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "10.0.0.0/8", Except = distinctPeers ? [$"10.{k}.0.0/16", $"10.255.{int.Parse(ns[3..], CultureInfo.InvariantCulture)}.0/24"] : [$"10.{k}.0.0/16"] } }],
                    },
                ],
            },
        };
    }

    private static V1Namespace Namespace(string name, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels.Append((Key: "kubernetes.io/metadata.name", Value: name)).ToDictionary(l => l.Key, l => l.Value) },
    };
}
