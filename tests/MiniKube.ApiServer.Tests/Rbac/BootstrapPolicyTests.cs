using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Rbac;

namespace MiniKube.ApiServer.Tests.Rbac;

/// <summary>The bootstrap policy's data: what upstream's clusters start with, consistent with itself.</summary>
public sealed class BootstrapPolicyTests
{
    private static BootstrapPolicy.ClusterRoleSpec Role(string name) => BootstrapPolicy.ClusterRoles.Single(r => r.Name == name);

    [Test]
    public void ClusterRoles_HaveUniqueNames_AndEveryBindingNamesARoleThatExists()
    {
        Assert.That(BootstrapPolicy.ClusterRoles.Select(r => r.Name), Is.Unique);
        foreach (var binding in BootstrapPolicy.Bindings)
        {
            var exists = binding.RoleKind == "ClusterRole"
                ? BootstrapPolicy.ClusterRoles.Any(r => r.Name == binding.RoleName)
                : BootstrapPolicy.Roles.Any(r => r.Name == binding.RoleName && r.Namespace == binding.Namespace);
            Assert.That(exists, Is.True, binding.Name);
        }
    }

    [Test]
    public void AggregatedRoles_GatherTheirLabelledRoles_AdminAboveEditAboveView()
    {
        var view = Role("view").Rules;
        var edit = Role("edit").Rules;
        var admin = Role("admin").Rules;

        Assert.That(view, Is.Not.Empty);
        Assert.That(RuleCoverage.Uncovered(edit, view), Is.Empty, "edit holds view");
        Assert.That(RuleCoverage.Uncovered(admin, edit), Is.Empty, "admin holds edit");
        Assert.That(RuleCoverage.Uncovered(view, edit), Is.Not.Empty);
        Assert.That(RuleCoverage.Uncovered(edit, Role("system:aggregate-to-admin").Rules), Is.Not.Empty, "roles are admin's alone");
        Assert.That(Role("edit").Labels, Does.Contain((BootstrapPolicy.AggregateToAdmin, "true")));
        Assert.That(Role("view").AggregatesLabel, Is.EqualTo(BootstrapPolicy.AggregateToView));
    }

    [Test]
    public void ControllerRoles_OnePerControllerOfThisProject_BoundToTheirServiceAccounts()
    {
        foreach (var account in new[] { "deployment-controller", "replicaset-controller", "namespace-controller", "generic-garbage-collector", "job-controller" })
        {
            var binding = BootstrapPolicy.Bindings.Single(b => b.Name == "system:controller:" + account);
            Assert.That(binding.Subjects.Single(), Is.EqualTo(new BootstrapPolicy.SubjectSpec("ServiceAccount", account, "kube-system")));
        }
    }

    [Test]
    public void Policy_AuthenticatedUsersMayDiscover_AndMastersAreClusterAdmins()
    {
        var authorizer = BootstrapAuthorizer();
        var jane = new UserInfo("jane", ["system:authenticated"]);
        var anonymous = new UserInfo("system:anonymous", ["system:unauthenticated"]);

        Assert.That(authorizer.Authorize(new RequestAttributes(jane, "get") { Path = "/apis/apps/v1" }).IsAllowed, Is.True);
        Assert.That(authorizer.Authorize(new RequestAttributes(anonymous, "get") { Path = "/version" }).IsAllowed, Is.True);
        Assert.That(authorizer.Authorize(new RequestAttributes(anonymous, "get") { Path = "/apis" }).IsAllowed, Is.False);
        Assert.That(authorizer.Authorize(new RequestAttributes(jane, "create") { IsResourceRequest = true, ApiGroup = "authorization.k8s.io", Resource = "selfsubjectaccessreviews" }).IsAllowed, Is.True);
        Assert.That(authorizer.Authorize(new RequestAttributes(new UserInfo("x", ["system:masters"]), "delete") { IsResourceRequest = true, Resource = "nodes", Name = "n" }).IsAllowed, Is.True);
    }

    [Test]
    public void Policy_ProxyIdentity_MayReadWhatNetworkPoliciesNeed_AndWriteNothing()
    {
        var authorizer = BootstrapAuthorizer();
        var proxy = new UserInfo("system:kube-proxy", ["system:authenticated"]);

        foreach (var (group, resource) in new[] { ("networking.k8s.io", "networkpolicies"), ("", "pods"), ("", "namespaces") })
        {
            Assert.That(authorizer.Authorize(new RequestAttributes(proxy, "list") { IsResourceRequest = true, ApiGroup = group, Resource = resource }).IsAllowed, Is.True, resource);
            Assert.That(authorizer.Authorize(new RequestAttributes(proxy, "watch") { IsResourceRequest = true, ApiGroup = group, Resource = resource }).IsAllowed, Is.True, resource);
            Assert.That(authorizer.Authorize(new RequestAttributes(proxy, "delete") { IsResourceRequest = true, ApiGroup = group, Resource = resource, Name = "x" }).IsAllowed, Is.False, resource);
        }
        Assert.That(authorizer.Authorize(new RequestAttributes(proxy, "list") { IsResourceRequest = true, Resource = "secrets" }).IsAllowed, Is.False);
    }

    /// <summary>RBAC holding the bootstrap cluster roles and cluster-wide bindings.</summary>
    private static RbacAuthorizer BootstrapAuthorizer()
    {
        var policy = new RbacPolicy();
        var revision = 0;
        foreach (var role in BootstrapPolicy.ClusterRoles)
        {
            policy.Apply(RbacPolicy.Kind.ClusterRole, PolicyBootstrap.ClusterRole(role), gone: false, ++revision);
        }
        foreach (var binding in BootstrapPolicy.Bindings.Where(b => b.Namespace.Length == 0))
        {
            var subjects = string.Join(",", binding.Subjects.Select(s => $$"""{"kind":"{{s.Kind}}","name":"{{s.Name}}","namespace":"{{s.Namespace}}"}"""));
            policy.Apply(RbacPolicy.Kind.ClusterRoleBinding, System.Text.Json.Nodes.JsonNode.Parse(
                $$"""{"metadata":{"name":"{{binding.Name}}"},"roleRef":{"kind":"ClusterRole","name":"{{binding.RoleName}}"},"subjects":[{{subjects}}]}""")!.AsObject(), gone: false, ++revision);
        }
        return new RbacAuthorizer(policy);
    }
}
