namespace MiniKube.Addons.Gateway;

/// <summary>
/// The status this controller writes, computed from a <see cref="GatewayBinding"/> (pure): a
/// GatewayClass's Accepted and SupportedVersion; a Gateway's addresses (the data planes' node
/// IPs, as Ingress status has them), Accepted (ListenersNotValid when some listener is not
/// served, False when none is), Programmed (AddressNotAssigned while no data plane is published)
/// and per listener its supported kinds, attached routes and Accepted/Programmed/ResolvedRefs/
/// Conflicted; a route's <c>status.parents</c> entry for each parent of ours, with Accepted and
/// ResolvedRefs, leaving other controllers' entries alone. Every condition carries the object's
/// generation as observedGeneration (what the conformance suite waits for) and keeps its
/// lastTransitionTime while its status does not change (apimachinery's SetStatusCondition).
/// </summary>
public static class GatewayStatusBuilder
{
    public static List<V1Condition> ClassConditions(GatewayClass gatewayClass, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(gatewayClass);
        return Conditions(
            [
                new ConditionState(GatewayConditions.Accepted, true, "Accepted", "Handled by the mkube ingress data plane"),
                new ConditionState(GatewayConditions.SupportedVersion, true, "SupportedVersion", "Gateway API standard channel v1 is supported"),
            ],
            gatewayClass.Metadata.Generation, gatewayClass.Status?.Conditions, now);
    }

    public static GatewayStatus Gateway(Gateway gateway, IReadOnlyList<ListenerState> listeners, IReadOnlyList<string> addresses, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(listeners);
        ArgumentNullException.ThrowIfNull(addresses);
        var generation = gateway.Metadata.Generation;
        var ready = listeners.Count(l => l.Ready);
        var accepted = ready == listeners.Count
            ? new ConditionState(GatewayConditions.Accepted, true, "Accepted", "Gateway accepted")
            : new ConditionState(GatewayConditions.Accepted, ready > 0, "ListenersNotValid", $"{listeners.Count - ready} of {listeners.Count} listeners are not served; see their conditions");
        var programmed = addresses.Count == 0
            ? new ConditionState(GatewayConditions.Programmed, false, "AddressNotAssigned", "No ingress data plane has published its address yet")
            : ready == 0 && listeners.Count > 0
                ? new ConditionState(GatewayConditions.Programmed, false, "Invalid", "No listener is served")
                : new ConditionState(GatewayConditions.Programmed, true, "Programmed", "Served by the ingress data plane");
        var previousListeners = gateway.Status?.Listeners ?? [];
        return new GatewayStatus
        {
            Addresses = addresses.Count == 0 ? null : [.. addresses.Select(a => new GatewayStatusAddress { Type = IPAddress.TryParse(a, out _) ? "IPAddress" : "Hostname", Value = a })],
            Conditions = Conditions([accepted, programmed], generation, gateway.Status?.Conditions, now),
            Listeners = [.. listeners.Select(l => new ListenerStatus
            {
                Name = l.Listener.Name,
                SupportedKinds = [.. l.SupportedKinds],
                AttachedRoutes = l.AttachedRoutes,
                Conditions = Conditions(l.Conditions, generation, previousListeners.FirstOrDefault(p => p.Name == l.Listener.Name)?.Conditions, now),
            })],
        };
    }

    /// <summary>The route's status with our parents' entries replaced by <paramref name="state"/>'s.</summary>
    public static RouteStatus Route(RouteState state, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var route = state.Route;
        var previous = route.Status?.Parents ?? [];
        var parents = previous.Where(p => p.ControllerName != MkubeGatewayClass.ControllerName).ToList();
        foreach (var parent in state.Parents)
        {
            var echoed = parent.Ref with { Group = parent.Ref.Group ?? GatewayApiObject.Group, Kind = parent.Ref.Kind ?? "Gateway" };
            var before = previous.FirstOrDefault(p => p.ControllerName == MkubeGatewayClass.ControllerName && p.ParentRef == echoed);
            parents.Add(new RouteParentStatus
            {
                ParentRef = echoed,
                ControllerName = MkubeGatewayClass.ControllerName,
                Conditions = Conditions([parent.Accepted, parent.ResolvedRefs], route.Metadata.Generation, before?.Conditions, now),
            });
        }
        return new RouteStatus { Parents = parents };
    }

    /// <summary>The conditions as written: each keeps its previous lastTransitionTime when its status is unchanged.</summary>
    public static List<V1Condition> Conditions(IEnumerable<ConditionState> states, long? generation, IReadOnlyList<V1Condition>? previous, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(states);
        return [.. states.Select(state =>
        {
            var status = state.Status ? "True" : "False";
            var before = previous?.FirstOrDefault(c => c.Type == state.Type);
            return new V1Condition
            {
                Type = state.Type,
                Status = status,
                Reason = state.Reason,
                Message = state.Message,
                ObservedGeneration = generation,
                LastTransitionTime = before?.Status == status && before.LastTransitionTime is { } since ? since : now,
            };
        })];
    }
}
