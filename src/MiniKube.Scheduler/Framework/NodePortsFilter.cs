using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// A host port can be held once per (protocol, port, IP); 0.0.0.0 overlaps every IP
/// (plugins/nodeports, framework.HostPortInfo.CheckConflict).
/// </summary>
internal static class NodePortsFilter
{
    private static readonly FilterFailure Failure = FilterFailure.Of("node(s) didn't have free ports for the requested pod ports", unresolvable: false);

    public static FilterFailure? Check(PodInfo pod, NodeInfo node)
    {
        if (pod.HostPorts.Count == 0 || node.UsedPorts is not { } used)
        {
            return null;
        }
        foreach (var port in pod.HostPorts)
        {
            if (!used.TryGetValue((port.Protocol, port.Port), out var ips))
            {
                continue;
            }
            if (port.Ip == HostPort.AnyIp || ips.ContainsKey(port.Ip) || ips.ContainsKey(HostPort.AnyIp))
            {
                return Failure;
            }
        }
        return null;
    }
}
