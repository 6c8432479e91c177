using k8s.Models;
using MiniKube.Addons.Gateway;
using static MiniKube.Addons.Tests.Gateway.GatewayObjects;

namespace MiniKube.Addons.Tests.Gateway;

public sealed class GatewayStatusBuilderTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    [Test]
    public void Gateway_ListenersAndAddresses_ConditionsWithObservedGeneration()
    {
        var gateway = NewGateway("default", "gw", Http("web"), Http("odd", port: 9090));
        gateway.Metadata.Generation = 4;
        var route = Route("default", "r", "gw", null, Rule(null, Backend("web-a")));
        var binding = GatewayBinding.Compute(Inputs([gateway], [route]));

        var status = GatewayStatusBuilder.Gateway(gateway, binding.Listeners, ["10.0.0.9"], Now);
        var unpublished = GatewayStatusBuilder.Gateway(gateway, binding.Listeners, [], Now);

        Assert.Multiple(() =>
        {
            Assert.That(status.Addresses, Is.EqualTo(new[] { new GatewayStatusAddress { Type = "IPAddress", Value = "10.0.0.9" } }));
            Assert.That(status.Conditions!.Select(c => $"{c.Type}={c.Status}/{c.Reason}/{c.ObservedGeneration}"), Is.EqualTo(new[] { "Accepted=True/ListenersNotValid/4", "Programmed=True/Programmed/4" }));
            Assert.That(unpublished.Conditions!.Single(c => c.Type == "Programmed").Reason, Is.EqualTo("AddressNotAssigned"));
            Assert.That(status.Listeners!.Select(l => $"{l.Name} {l.AttachedRoutes} {string.Join(",", l.Conditions.Select(c => $"{c.Type}={c.Status}"))}"), Is.EqualTo(new[]
            {
                "web 1 Conflicted=False,Accepted=True,ResolvedRefs=True,Programmed=True",
                "odd 1 Conflicted=False,Accepted=False,ResolvedRefs=True,Programmed=False",
            }));
        });
    }

    [Test]
    public void Route_OurParentsReplaced_OthersKept_TransitionTimeKeptWhileUnchanged()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var route = Route("default", "r", "gw", null, Rule(null, Backend("web-a")));
        var earlier = Now.AddHours(-1);
        route.Status = new RouteStatus
        {
            Parents =
            [
                new RouteParentStatus { ParentRef = new ParentReference { Name = "theirs" }, ControllerName = "example.com/other" },
                new RouteParentStatus
                {
                    ParentRef = new ParentReference { Group = "gateway.networking.k8s.io", Kind = "Gateway", Name = "gw" },
                    ControllerName = MkubeGatewayClass.ControllerName,
                    Conditions = [new V1Condition { Type = "Accepted", Status = "True", LastTransitionTime = earlier }, new V1Condition { Type = "ResolvedRefs", Status = "False", LastTransitionTime = earlier }],
                },
            ],
        };
        var state = GatewayBinding.Compute(Inputs([gateway], [route])).Routes.Single();

        var status = GatewayStatusBuilder.Route(state, Now);

        var ours = status.Parents!.Single(p => p.ControllerName == MkubeGatewayClass.ControllerName);
        Assert.Multiple(() =>
        {
            Assert.That(status.Parents!.Select(p => p.ParentRef.Name), Is.EqualTo(new[] { "theirs", "gw" }));
            Assert.That(ours.Conditions!.Select(c => (c.Type, c.Status, c.LastTransitionTime, c.ObservedGeneration)), Is.EqualTo(new[]
            {
                ("Accepted", "True", (DateTime?)earlier, (long?)1),
                ("ResolvedRefs", "True", (DateTime?)Now, (long?)1),
            }));
        });
    }

    [Test]
    public void Class_AcceptedAndSupportedVersion()
    {
        var conditions = GatewayStatusBuilder.ClassConditions(Class(), Now);

        Assert.That(conditions.Select(c => $"{c.Type}={c.Status}/{c.Reason}"), Is.EqualTo(new[] { "Accepted=True/Accepted", "SupportedVersion=True/SupportedVersion" }));
    }
}
