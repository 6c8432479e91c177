using MiniKube.Controllers.Common;

namespace MiniKube.Controllers.Tests.Common;

public class ControllerRefsTests
{
    [Test]
    public void OwnerKey_ControlledByThatKind_IsTheControllerInTheObjectsNamespace()
    {
        var pod = TestObjects.Pod("web-0", TestObjects.Owner("apps/v1", "StatefulSet", "web"), new Dictionary<string, string>());

        Assert.That(ControllerRefs.OwnerKey(pod, "StatefulSet"), Is.EqualTo(new NamespacedName(TestObjects.Namespace, "web")));
    }

    [Test]
    public void OwnerKey_ControlledByAnotherKind_IsNull()
    {
        var pod = TestObjects.Pod("web-abc", TestObjects.Owner("apps/v1", "ReplicaSet", "web"), new Dictionary<string, string>());

        Assert.That(ControllerRefs.OwnerKey(pod, "StatefulSet"), Is.Null);
    }

    [Test]
    public void OwnerKey_OwnedButNotControlled_IsNull()
    {
        var owner = TestObjects.Owner("apps/v1", "StatefulSet", "web");
        owner.Controller = false;
        var pod = TestObjects.Pod("web-0", owner, new Dictionary<string, string>());

        Assert.That(ControllerRefs.OwnerKey(pod, "StatefulSet"), Is.Null);
    }
}
