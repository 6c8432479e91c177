using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.Auth;

public class ImpersonationTests
{
    private static readonly UserInfo Admin = new("admin", ["ops", UserInfo.AuthenticatedGroup]);

    [Test]
    public void Apply_NoHeaders_CallerUnchangedAndNothingAsked()
    {
        var authorizer = new Recording(_ => true);

        var user = Impersonation.Apply(Request(), Admin, authorizer);

        Assert.That(user, Is.SameAs(Admin));
        Assert.That(authorizer.Asked, Is.Empty);
    }

    [Test]
    public void Apply_UserGroupsUidAndExtra_EachCheckedAsUpstreamThenRunsAsThem()
    {
        var authorizer = new Recording(_ => true);
        var request = Request(("Impersonate-User", ["jane"]), ("Impersonate-Group", ["dev", "qa"]), ("Impersonate-Uid", ["42"]), ("Impersonate-Extra-Acme.com%2Fproject", ["a", "b"]));

        var user = Impersonation.Apply(request, Admin, authorizer);

        Assert.That(authorizer.Asked.Select(a => $"{a.User.Name} {a.Verb} {a.ApiGroup}/{a.ApiVersion} {a.ResourceWithSubresource} {a.Name}"), Is.EqualTo(new[]
        {
            "admin impersonate / users jane",
            "admin impersonate / groups dev",
            "admin impersonate / groups qa",
            "admin impersonate authentication.k8s.io/v1 userextras/acme.com/project a",
            "admin impersonate authentication.k8s.io/v1 userextras/acme.com/project b",
            "admin impersonate authentication.k8s.io/v1 uids 42",
        }));
        Assert.That(user.Name, Is.EqualTo("jane"));
        Assert.That(user.Groups, Is.EqualTo(new[] { "dev", "qa", UserInfo.AuthenticatedGroup }));
        Assert.That(user.Uid, Is.EqualTo("42"));
        Assert.That(user.Extra["acme.com/project"], Is.EqualTo(new[] { "a", "b" }));
        Assert.That(request.Headers.Keys.Where(Impersonation.IsImpersonationHeader), Is.Empty, "headers must not reach aggregated servers");
    }

    [Test]
    public void Apply_ServiceAccountUser_CheckedOnServiceAccountsInItsNamespaceWithItsGroups()
    {
        var authorizer = new Recording(_ => true);

        var user = Impersonation.Apply(Request(("Impersonate-User", ["system:serviceaccount:apps:builder"])), Admin, authorizer);

        var asked = authorizer.Asked.Single();
        Assert.That((asked.Resource, asked.Namespace, asked.Name), Is.EqualTo(("serviceaccounts", "apps", "builder")));
        Assert.That(user.Name, Is.EqualTo("system:serviceaccount:apps:builder"));
        Assert.That(user.Groups, Is.EqualTo(new[] { "system:serviceaccounts", "system:serviceaccounts:apps", UserInfo.AuthenticatedGroup }));
    }

    [Test]
    public void Apply_MalformedServiceAccountName_IsAPlainUser()
    {
        var authorizer = new Recording(_ => true);

        Impersonation.Apply(Request(("Impersonate-User", ["system:serviceaccount:Bad_NS:x"])), Admin, authorizer);

        Assert.That(authorizer.Asked.Single().Resource, Is.EqualTo("users"));
    }

    [Test]
    public void Apply_Anonymous_GetsUnauthenticatedNotAuthenticated()
    {
        var user = Impersonation.Apply(Request(("Impersonate-User", ["system:anonymous"])), Admin, new Recording(_ => true));

        Assert.That(user.Groups, Is.EqualTo(new[] { UserInfo.UnauthenticatedGroup }));
    }

    [Test]
    public void Apply_GroupsNameUnauthenticated_NoAuthenticatedAdded()
    {
        var user = Impersonation.Apply(Request(("Impersonate-User", ["jane"]), ("Impersonate-Group", [UserInfo.UnauthenticatedGroup])), Admin, new Recording(_ => true));

        Assert.That(user.Groups, Is.EqualTo(new[] { UserInfo.UnauthenticatedGroup }));
    }

    [Test]
    public void Apply_UserRefused_403InUpstreamsWords()
    {
        var error = Assert.Throws<ApiException>(() => Impersonation.Apply(Request(("Impersonate-User", ["jane"])), new UserInfo("x", [UserInfo.AuthenticatedGroup]), new Recording(_ => false)));

        Assert.That(error!.Code, Is.EqualTo(403));
        Assert.That(error.Message, Is.EqualTo("users \"jane\" is forbidden: User \"x\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"));
    }

    [Test]
    public void Apply_GroupRefused_StopsAtThatGroup()
    {
        var authorizer = new Recording(a => a.Resource != "groups" || a.Name != "admins");

        var error = Assert.Throws<ApiException>(() => Impersonation.Apply(Request(("Impersonate-User", ["jane"]), ("Impersonate-Group", ["admins", "dev"])), Admin, authorizer));

        Assert.That(error!.Message, Is.EqualTo("groups \"admins\" is forbidden: User \"admin\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope"));
        Assert.That(authorizer.Asked, Has.Count.EqualTo(2));
    }

    [Test]
    public void Apply_GroupWithoutUser_400()
    {
        var error = Assert.Throws<ApiException>(() => Impersonation.Apply(Request(("Impersonate-Group", ["dev"])), Admin, new Recording(_ => true)));

        Assert.That(error!.Code, Is.EqualTo(400));
        Assert.That(error.Message, Does.Contain("without impersonating a user"));
    }

    private static HttpRequest Request(params (string Name, string[] Values)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, values) in headers)
        {
            context.Request.Headers[name] = values;
        }
        return context.Request;
    }

    private sealed class Recording(Func<RequestAttributes, bool> allow) : IAuthorizer
    {
        public List<RequestAttributes> Asked { get; } = [];

        public AuthorizationResult Authorize(RequestAttributes attributes)
        {
            Asked.Add(attributes);
            return allow(attributes) ? AuthorizationResult.Allowed() : AuthorizationResult.NoOpinion();
        }
    }
}
