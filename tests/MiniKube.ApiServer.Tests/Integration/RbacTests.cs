using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// RBAC over HTTP against an in-process API server: the four kinds served and validated, the
/// authorizer deciding for users, groups and service accounts, escalation prevention, and the
/// bootstrap policy written and reconciled at start.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class RbacTests : ApiServerFixture
{
    private const string Rbac = "/apis/rbac.authorization.k8s.io/v1";

    [Test]
    public async Task Discovery_ServesTheFourKinds()
    {
        var resources = Json((await SendAsync(Client, HttpMethod.Get, Rbac)).Body)["resources"]!.AsArray();

        Assert.That(resources.Select(r => (string?)r!["name"]), Is.EquivalentTo(new[] { "clusterrolebindings", "clusterroles", "rolebindings", "roles" }));
        Assert.That(resources.Where(r => (bool?)r!["namespaced"] == true).Select(r => (string?)r!["kind"]), Is.EquivalentTo(new[] { "Role", "RoleBinding" }));
    }

    [Test]
    public async Task Create_InvalidRoleAndBinding_Are422WithUpstreamsCauses()
    {
        var role = await SendAsync(Client, HttpMethod.Post, Rbac + "/namespaces/default/roles", """{"metadata":{"name":"r"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}""");
        var binding = await SendAsync(Client, HttpMethod.Post, Rbac + "/clusterrolebindings", """{"metadata":{"name":"b"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":""}]}""");

        Assert.That(role.Code, Is.EqualTo(422), role.Body);
        Assert.That((string?)Json(role.Body)["message"], Is.EqualTo("Role.rbac.authorization.k8s.io \"r\" is invalid: rules[0].verbs: Required value: verbs must contain at least one value"));
        Assert.That(binding.Code, Is.EqualTo(422), binding.Body);
        Assert.That((string?)Json(binding.Body)["message"], Does.Contain("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"")
            .And.Contain("subjects[0].name: Required value"));
    }

    [Test]
    public async Task Update_BindingsRoleRef_CannotChange()
    {
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("b", "ClusterRole", "view", User("jane")), "default");
        var stored = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("b", "default");
        stored.RoleRef.Name = "edit";

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.RbacAuthorizationV1.ReplaceNamespacedRoleBindingAsync(stored, "b", "default"));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(error.Response.Content, Does.Contain("cannot change roleRef"));
    }

    [Test]
    public async Task List_BindingsAsTable_ShowRoleAndWideSubjects()
    {
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "mixed" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [User("jane"), new Rbacv1Subject { Kind = "Group", Name = "dev", ApiGroup = "rbac.authorization.k8s.io" }, new Rbacv1Subject { Kind = "ServiceAccount", Name = "bot", NamespaceProperty = "ci" }],
        });

        var (code, body) = await SendAsync(Client, HttpMethod.Get, Rbac + "/clusterrolebindings/mixed", accept: "application/json;as=Table;v=v1;g=meta.k8s.io");

        Assert.That(code, Is.EqualTo(200), body);
        var table = Json(body);
        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "Name", "Role", "Age", "Users", "Groups", "ServiceAccounts" }));
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.That(new[] { (string?)cells[1], (string?)cells[3], (string?)cells[4], (string?)cells[5] }, Is.EqualTo(new[] { "ClusterRole/view", "jane", "dev", "ci/bot" }));
    }

    [Test]
    public async Task ViewUser_ReadsButCannotCreate_WithUpstreamsMessage()
    {
        using var jane = TestIdentities.Client(Server, "jane");
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(ClusterBinding("jane-view", "view", User("jane")));

        await UntilAllowedAsync(() => jane.CoreV1.ListNamespacedPodAsync("default"));
        var error = Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.CreateNamespacedPodAsync(Pod("p"), "default"));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((string?)Json(error.Response.Content)["message"], Is.EqualTo("pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\""));
        Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.ListNamespacedSecretAsync("default"), "view does not read secrets");
    }

    [Test]
    public async Task RoleBindingToClusterRole_GrantsInItsNamespaceOnly()
    {
        using var jane = TestIdentities.Client(Server, "jane");
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-edit", "ClusterRole", "edit", User("jane")), "team");

        await UntilAllowedAsync(() => jane.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "team"));

        var elsewhere = Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "default"));
        Assert.That(elsewhere!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.ThrowsAsync<HttpOperationException>(() => jane.CoreV1.ListConfigMapForAllNamespacesAsync(), "not across namespaces");
    }

    [Test]
    public async Task GroupAndServiceAccountSubjects_AreMatched()
    {
        using var dev = TestIdentities.Client(Server, "anna", "dev");
        using var bot = TestIdentities.Client(Server, "system:serviceaccount:default:bot", "system:serviceaccounts", "system:serviceaccounts:default");
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(ClusterBinding("devs", "view", new Rbacv1Subject { Kind = "Group", Name = "dev", ApiGroup = "rbac.authorization.k8s.io" }));
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("bot", "ClusterRole", "view", new Rbacv1Subject { Kind = "ServiceAccount", Name = "bot" }), "default");

        await UntilAllowedAsync(() => dev.CoreV1.ListNamespacedServiceAsync("kube-system"));
        await UntilAllowedAsync(() => bot.CoreV1.ListNamespacedServiceAsync("default"));

        Assert.ThrowsAsync<HttpOperationException>(() => bot.CoreV1.ListNamespacedServiceAsync("kube-system"));
    }

    [Test]
    public async Task Escalation_RoleWithRulesNotHeld_IsRefused_UnlessEscalateIsGranted()
    {
        using var jane = TestIdentities.Client(Server, "jane");
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(ClusterRole("role-writer",
            new V1PolicyRule { Verbs = ["create", "update", "get"], ApiGroups = ["rbac.authorization.k8s.io"], Resources = ["roles", "rolebindings"] },
            new V1PolicyRule { Verbs = ["get", "list"], ApiGroups = [""], Resources = ["pods"] }));
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-writes", "ClusterRole", "role-writer", User("jane")), "default");

        await UntilAllowedAsync(() => jane.RbacAuthorizationV1.CreateNamespacedRoleAsync(Role("readers", new V1PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["pods"] }), "default"));
        var refused = await SendAsync(jane, HttpMethod.Post, Rbac + "/namespaces/default/roles",
            """{"metadata":{"name":"deployers"},"rules":[{"verbs":["create","delete"],"apiGroups":["apps"],"resources":["deployments"]},{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]}""");

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That((string?)Json(refused.Body)["message"], Is.EqualTo(
            "roles.rbac.authorization.k8s.io \"deployers\" is forbidden: user \"jane\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
            + "{APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"create\" \"delete\"]}"));

        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(ClusterRole("escalator", new V1PolicyRule { Verbs = ["escalate"], ApiGroups = ["rbac.authorization.k8s.io"], Resources = ["roles"] }));
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-escalates", "ClusterRole", "escalator", User("jane")), "default");
        await UntilAllowedAsync(() => jane.RbacAuthorizationV1.CreateNamespacedRoleAsync(Role("deployers", new V1PolicyRule { Verbs = ["create"], ApiGroups = ["apps"], Resources = ["deployments"] }), "default"));
    }

    [Test]
    public async Task Escalation_BindingToARoleNotHeld_IsRefused_UnlessBindIsGranted()
    {
        using var jane = TestIdentities.Client(Server, "jane");
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(ClusterRole("binder", new V1PolicyRule { Verbs = ["create"], ApiGroups = ["rbac.authorization.k8s.io"], Resources = ["rolebindings"] }));
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-binds", "ClusterRole", "binder", User("jane")), "default");

        var refused = await SendAsync(jane, HttpMethod.Post, Rbac + "/namespaces/default/rolebindings",
            """{"metadata":{"name":"john-edit"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"User","name":"john","apiGroup":"rbac.authorization.k8s.io"}]}""");
        var missing = await SendAsync(jane, HttpMethod.Post, Rbac + "/namespaces/default/rolebindings",
            """{"metadata":{"name":"ghost"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"ghost"},"subjects":[{"kind":"User","name":"john","apiGroup":"rbac.authorization.k8s.io"}]}""");

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That((string?)Json(refused.Body)["message"], Does.StartWith("rolebindings.rbac.authorization.k8s.io \"john-edit\" is forbidden: user \"jane\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:"));
        Assert.That(missing.Code, Is.EqualTo(404), missing.Body);
        Assert.That((string?)Json(missing.Body)["message"], Is.EqualTo("clusterroles.rbac.authorization.k8s.io \"ghost\" not found"));

        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(ClusterRole("edit-binder", new V1PolicyRule { Verbs = ["bind"], ApiGroups = ["rbac.authorization.k8s.io"], Resources = ["clusterroles"], ResourceNames = ["edit"] }));
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-binds-edit", "ClusterRole", "edit-binder", User("jane")), "default");
        await UntilAllowedAsync(() => jane.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("john-edit", "ClusterRole", "edit", User("john")), "default"));
    }

    [Test]
    public async Task Escalation_RoleWithRulesHeld_IsAllowed()
    {
        using var jane = TestIdentities.Client(Server, "jane");
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-admin", "ClusterRole", "admin", User("jane")), "default");

        await UntilAllowedAsync(() => jane.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("john-view", "ClusterRole", "view", User("john")), "default"));
        await jane.RbacAuthorizationV1.CreateNamespacedRoleAsync(Role("secrets", new V1PolicyRule { Verbs = ["get", "list"], ApiGroups = [""], Resources = ["secrets"] }), "default");
    }

    [Test]
    public async Task Bootstrap_WritesThePolicy_AndReconcilesAtRestart()
    {
        var view = await Client.RbacAuthorizationV1.ReadClusterRoleAsync("view");
        Assert.That(view.Metadata.Annotations["rbac.authorization.kubernetes.io/autoupdate"], Is.EqualTo("true"));
        Assert.That(view.AggregationRule.ClusterRoleSelectors.Single().MatchLabels["rbac.authorization.k8s.io/aggregate-to-view"], Is.EqualTo("true"));
        Assert.That(view.Rules.Any(r => r.Resources.Contains("pods") && r.Verbs.Contains("list")), Is.True);
        var masters = await Client.RbacAuthorizationV1.ReadClusterRoleBindingAsync("cluster-admin");
        Assert.That(masters.Subjects.Single().Name, Is.EqualTo("system:masters"));
        var before = (await Client.RbacAuthorizationV1.ListClusterRoleAsync()).Items.Count;

        view.Rules = view.Rules.Where(r => !r.Resources.Contains("pods")).ToList();
        await Client.RbacAuthorizationV1.ReplaceClusterRoleAsync(view, "view");
        var basic = await Client.RbacAuthorizationV1.ReadClusterRoleAsync("system:basic-user");
        basic.Metadata.Annotations["rbac.authorization.kubernetes.io/autoupdate"] = "false";
        basic.Rules = [];
        await Client.RbacAuthorizationV1.ReplaceClusterRoleAsync(basic, "system:basic-user");
        Client.Dispose();
        Server = await Server.RestartAsync();
        Client = Server.Client();

        var reconciled = await Client.RbacAuthorizationV1.ReadClusterRoleAsync("view");
        Assert.That(reconciled.Rules.Any(r => r.Resources.Contains("pods") && r.Verbs.Contains("list")), Is.True, "the removed rule is back");
        Assert.That((await Client.RbacAuthorizationV1.ReadClusterRoleAsync("system:basic-user")).Rules, Is.Null.Or.Empty, "autoupdate false is left alone");
        Assert.That((await Client.RbacAuthorizationV1.ListClusterRoleAsync()).Items, Has.Count.EqualTo(before));
    }

    // Upstream's RBAC follows informers; here the writing server knows at once, other servers after a watch event.
    private static async Task UntilAllowedAsync(Func<Task> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden && attempt < 50)
            {
                await Task.Delay(20);
            }
        }
    }

    private static Rbacv1Subject User(string name) => new() { Kind = "User", Name = name, ApiGroup = "rbac.authorization.k8s.io" };

    private static V1RoleBinding Binding(string name, string kind, string role, Rbacv1Subject subject) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = kind, Name = role },
        Subjects = [subject],
    };

    private static V1ClusterRoleBinding ClusterBinding(string name, string role, Rbacv1Subject subject) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
        Subjects = [subject],
    };

    private static V1ClusterRole ClusterRole(string name, params V1PolicyRule[] rules) => new() { Metadata = new V1ObjectMeta { Name = name }, Rules = rules };

    private static V1Role Role(string name, params V1PolicyRule[] rules) => new() { Metadata = new V1ObjectMeta { Name = name }, Rules = rules };

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
    };

    private Task<(int Code, string Body)> SendAsync(Kubernetes client, HttpMethod method, string path, string? body = null, string? accept = null) =>
        RawHttp.SendAsync(client, Server.Server.Address, method, path, body, accept: accept);

    private static JsonObject Json(string body) => RawHttp.Json(body);
}
