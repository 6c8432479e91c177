using MiniKube.ApiServer.Auth;

namespace MiniKube.ApiServer.Tests.Auth;

public class AuthorizerChainTests
{
    private static readonly UserInfo Jane = new("jane", [UserInfo.AuthenticatedGroup]);

    [Test]
    public void Authorize_SystemMasters_AllowedWithoutAskingTheChain()
    {
        var asked = new Fixed(AuthorizationResult.Denied("never"));
        var admin = new UserInfo("admin", [UserInfo.MastersGroup, UserInfo.AuthenticatedGroup]);

        var result = new AuthorizerChain([asked]).Authorize(new RequestAttributes(admin, "delete") { IsResourceRequest = true, Resource = "nodes" });

        Assert.That(result.IsAllowed, Is.True);
        Assert.That(asked.Calls, Is.Zero);
    }

    [Test]
    public void Authorize_FirstDecisionWins_NoOpinionsPassOn()
    {
        var first = new Fixed(AuthorizationResult.NoOpinion());
        var second = new Fixed(AuthorizationResult.Allowed("bound"));
        var third = new Fixed(AuthorizationResult.Denied("too late"));

        var result = new AuthorizerChain([first, second, third]).Authorize(new RequestAttributes(Jane, "get"));

        Assert.That(result, Is.EqualTo(AuthorizationResult.Allowed("bound")));
        Assert.That((first.Calls, second.Calls, third.Calls), Is.EqualTo((1, 1, 0)));
    }

    [Test]
    public void Authorize_NobodyHasAnOpinion_RefusedWithTheirReasons()
    {
        var result = new AuthorizerChain([new Fixed(AuthorizationResult.NoOpinion("a")), new Fixed(AuthorizationResult.NoOpinion())]).Authorize(new RequestAttributes(Jane, "get"));

        Assert.That(result.IsAllowed, Is.False);
        Assert.That(result.Reason, Is.EqualTo("a"));
    }

    [Test]
    public void Authorize_AllowedByAMember_AllocatesNothing()
    {
        var chain = new AuthorizerChain([new Fixed(AuthorizationResult.NoOpinion()), new Fixed(AuthorizationResult.Allowed("bound"))]);
        var attributes = new RequestAttributes(Jane, "get");
        chain.Authorize(attributes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            chain.Authorize(attributes);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "every request of a non-admin is decided here");
    }

    [Test]
    public void Forbidden_NamespacedList_IsUpstreamsMessageAndDetails()
    {
        var attributes = new RequestAttributes(Jane, "list") { IsResourceRequest = true, Resource = "pods", Namespace = "default", ApiVersion = "v1" };

        var error = AuthorizerChain.Forbidden(attributes, "");

        Assert.That(error.Code, Is.EqualTo(403));
        Assert.That(error.Reason, Is.EqualTo("Forbidden"));
        Assert.That(error.Message, Is.EqualTo("pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""));
        Assert.That(error.Details!.ToJsonString(), Is.EqualTo("{\"kind\":\"pods\"}"));
    }

    [Test]
    public void Forbidden_NamedClusterScopedSubresource_NamesObjectGroupAndReason()
    {
        var attributes = new RequestAttributes(Jane, "update") { IsResourceRequest = true, ApiGroup = "apps", Resource = "deployments", Subresource = "scale", Name = "web" };

        var error = AuthorizerChain.Forbidden(attributes, "no luck");

        Assert.That(error.Message, Is.EqualTo("deployments.apps \"web\" is forbidden: User \"jane\" cannot update resource \"deployments/scale\" in API group \"apps\" at the cluster scope: no luck"));
        Assert.That(error.Details!.ToJsonString(), Is.EqualTo("{\"name\":\"web\",\"group\":\"apps\",\"kind\":\"deployments\"}"));
    }

    [Test]
    public void Forbidden_NonResourcePath_SaysPath()
    {
        var error = AuthorizerChain.Forbidden(new RequestAttributes(Jane, "get") { Path = "/metrics" }, "");

        Assert.That(error.Message, Is.EqualTo("forbidden: User \"jane\" cannot get path \"/metrics\""));
        Assert.That(error.Details!.ToJsonString(), Is.EqualTo("{}"));
    }

    private sealed class Fixed(AuthorizationResult result) : IAuthorizer
    {
        public int Calls { get; private set; }

        public AuthorizationResult Authorize(RequestAttributes attributes)
        {
            Calls++;
            return result;
        }
    }
}
