using System.Text.Json.Nodes;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Rbac;

namespace MiniKube.ApiServer.Tests.Rbac;

/// <summary>The RBAC authorizer over its index: subjects, scopes, missing roles, and changes taking effect.</summary>
public sealed class RbacAuthorizerTests
{
    private RbacPolicy _policy = null!;
    private long _revision;

    [SetUp]
    public void NewPolicy() => _policy = new RbacPolicy();

    private RbacAuthorizer Authorizer => new(_policy);

    private void Put(RbacPolicy.Kind kind, string json) => _policy.Apply(kind, JsonNode.Parse(json)!.AsObject(), gone: false, ++_revision);

    private void ClusterRole(string name, string rules) => Put(RbacPolicy.Kind.ClusterRole, $$"""{"metadata":{"name":"{{name}}"},"rules":{{rules}}}""");

    private void ClusterBinding(string name, string role, string subjects) =>
        Put(RbacPolicy.Kind.ClusterRoleBinding, $$"""{"metadata":{"name":"{{name}}"},"roleRef":{"kind":"ClusterRole","name":"{{role}}"},"subjects":{{subjects}}}""");

    private void Binding(string ns, string name, string kind, string role, string subjects) =>
        Put(RbacPolicy.Kind.RoleBinding, $$"""{"metadata":{"name":"{{name}}","namespace":"{{ns}}"},"roleRef":{"kind":"{{kind}}","name":"{{role}}"},"subjects":{{subjects}}}""");

    // The usual start: a ClusterRole that reads pods, bound cluster-wide to the subjects given.
    private void ReaderBoundTo(string binding, string subjects)
    {
        ClusterRole("reader", ReadPods);
        ClusterBinding(binding, "reader", subjects);
    }

    private static RequestAttributes Pods(UserInfo user, string verb, string ns) => new(user, verb)
    {
        IsResourceRequest = true,
        Resource = "pods",
        Namespace = ns,
    };

    private static UserInfo User(string name, params string[] groups) => new(name, [.. groups, "system:authenticated"]);

    private const string ReadPods = """[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]""";

    [Test]
    public void Authorize_ClusterRoleBindingToUser_AllowsEverywhereWithUpstreamsReason()
    {
        ReaderBoundTo("jane-reads", """[{"kind":"User","name":"jane"}]""");

        var result = Authorizer.Authorize(Pods(User("jane"), "list", "default"));

        Assert.That(result.Decision, Is.EqualTo(AuthorizationDecision.Allow));
        Assert.That(result.Reason, Is.EqualTo("RBAC: allowed by ClusterRoleBinding \"jane-reads\" of ClusterRole \"reader\" to User \"jane\""));
        Assert.That(Authorizer.Authorize(Pods(User("jane"), "list", "")).IsAllowed, Is.True);
        Assert.That(Authorizer.Authorize(Pods(User("john"), "list", "default")).Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
        Assert.That(Authorizer.Authorize(Pods(User("jane"), "delete", "default")).Reason, Is.Empty);
    }

    [Test]
    public void Authorize_RoleBindingToClusterRole_IsScopedToItsNamespace()
    {
        ClusterRole("reader", ReadPods);
        Binding("team", "read", "ClusterRole", "reader", """[{"kind":"User","name":"jane"}]""");

        Assert.That(Authorizer.Authorize(Pods(User("jane"), "list", "team")).Reason,
            Is.EqualTo("RBAC: allowed by RoleBinding \"read/team\" of ClusterRole \"reader\" to User \"jane\""));
        Assert.That(Authorizer.Authorize(Pods(User("jane"), "list", "other")).IsAllowed, Is.False);
        Assert.That(Authorizer.Authorize(Pods(User("jane"), "list", "")).IsAllowed, Is.False, "all namespaces");
    }

    [Test]
    public void Authorize_AllowedAmongManyOtherSubjectsBindings_AllocatesNothing()
    {
        ClusterRole("reader", ReadPods);
        Binding("team", "read", "ClusterRole", "reader", """[{"kind":"User","name":"jane"}]""");
        for (var i = 0; i < 1000; i++)
        {
            Binding("crowd", $"user-{i}", "ClusterRole", "reader", $$"""[{"kind":"User","name":"user-{{i}}"},{"kind":"Group","name":"group-{{i}}"}]""");
        }
        var authorizer = Authorizer;
        var request = Pods(User("jane", "dev"), "list", "team");
        authorizer.Authorize(request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            authorizer.Authorize(request);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(authorizer.Authorize(request).IsAllowed, Is.True);
    }

    [Test]
    public void Authorize_RoleBindingToRole_UsesTheRoleOfItsNamespace()
    {
        Put(RbacPolicy.Kind.Role, $$"""{"metadata":{"name":"r","namespace":"team"},"rules":{{ReadPods}}}""");
        Binding("team", "b", "Role", "r", """[{"kind":"User","name":"jane"}]""");
        Binding("other", "b", "Role", "r", """[{"kind":"User","name":"jane"}]""");

        Assert.That(Authorizer.Authorize(Pods(User("jane"), "get", "team")).IsAllowed, Is.True);
        var other = Authorizer.Authorize(Pods(User("jane"), "get", "other"));
        Assert.That(other.IsAllowed, Is.False);
        Assert.That(other.Reason, Is.EqualTo("RBAC: role.rbac.authorization.k8s.io \"r\" not found"));
    }

    [Test]
    public void Authorize_GroupSubject_MatchesMembers()
    {
        ReaderBoundTo("devs", """[{"kind":"Group","name":"dev"}]""");

        Assert.That(Authorizer.Authorize(Pods(User("jane", "dev"), "list", "x")).Reason, Does.EndWith("to Group \"dev\""));
        Assert.That(Authorizer.Authorize(Pods(User("john", "ops"), "list", "x")).IsAllowed, Is.False);
    }

    [Test]
    public void Authorize_ServiceAccountSubjects_MatchTheirUserNameAndGroups()
    {
        ClusterRole("reader", ReadPods);
        Binding("apps", "sa", "ClusterRole", "reader", """[{"kind":"ServiceAccount","name":"builder"}]""");
        ClusterBinding("all-sas-in-ci", "reader", """[{"kind":"Group","name":"system:serviceaccounts:ci"}]""");
        var builder = User("system:serviceaccount:apps:builder", "system:serviceaccounts", "system:serviceaccounts:apps");
        var ciBot = User("system:serviceaccount:ci:bot", "system:serviceaccounts", "system:serviceaccounts:ci");

        Assert.That(Authorizer.Authorize(Pods(builder, "list", "apps")).Reason, Does.EndWith("to ServiceAccount \"builder/apps\""));
        Assert.That(Authorizer.Authorize(Pods(builder, "list", "other")).IsAllowed, Is.False);
        Assert.That(Authorizer.Authorize(Pods(User("builder"), "list", "apps")).IsAllowed, Is.False, "a user called builder is not the service account");
        Assert.That(Authorizer.Authorize(Pods(ciBot, "list", "anywhere")).IsAllowed, Is.True);
    }

    [Test]
    public void Authorize_MissingClusterRole_IsNoOpinionWithTheError()
    {
        ClusterBinding("b", "ghost", """[{"kind":"User","name":"jane"}]""");

        var result = Authorizer.Authorize(Pods(User("jane"), "list", "default"));

        Assert.That(result.Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
        Assert.That(result.Reason, Is.EqualTo("RBAC: clusterrole.rbac.authorization.k8s.io \"ghost\" not found"));
        var rules = Authorizer.RulesFor(User("jane"), "default");
        Assert.That(rules.Incomplete, Is.True);
        Assert.That(rules.EvaluationError, Is.EqualTo("clusterrole.rbac.authorization.k8s.io \"ghost\" not found"));
    }

    [Test]
    public void Apply_DeletedOrChangedBinding_TakesEffect_AndOlderStatesAreIgnored()
    {
        ReaderBoundTo("b", """[{"kind":"User","name":"jane"}]""");
        var stale = JsonNode.Parse("""{"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"reader"},"subjects":[{"kind":"User","name":"john"}]}""")!.AsObject();

        ClusterBinding("b", "reader", """[{"kind":"User","name":"john"}]""");
        Assert.That(Authorizer.Authorize(Pods(User("jane"), "list", "x")).IsAllowed, Is.False);
        Assert.That(Authorizer.Authorize(Pods(User("john"), "list", "x")).IsAllowed, Is.True);

        _policy.Apply(RbacPolicy.Kind.ClusterRoleBinding, stale, gone: true, ++_revision);
        Assert.That(Authorizer.Authorize(Pods(User("john"), "list", "x")).IsAllowed, Is.False);

        _policy.Apply(RbacPolicy.Kind.ClusterRoleBinding, stale, gone: false, _revision - 1);
        Assert.That(Authorizer.Authorize(Pods(User("john"), "list", "x")).IsAllowed, Is.False, "an older state after the deletion");
    }

    [Test]
    public void RetainOnly_ForgetsWhatARelistNoLongerHas()
    {
        ReaderBoundTo("b", """[{"kind":"User","name":"jane"}]""");

        _policy.RetainOnly(RbacPolicy.Kind.ClusterRoleBinding, new HashSet<(string, string)>(), ++_revision);

        Assert.That(Authorizer.Authorize(Pods(User("jane"), "list", "x")).IsAllowed, Is.False);
    }

    [Test]
    public void RulesFor_ListsClusterAndNamespaceRules()
    {
        ClusterRole("reader", ReadPods);
        ClusterRole("urls", """[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]""");
        ClusterBinding("u", "urls", """[{"kind":"Group","name":"system:authenticated"}]""");
        Binding("team", "r", "ClusterRole", "reader", """[{"kind":"User","name":"jane"}]""");

        var team = Authorizer.RulesFor(User("jane"), "team");
        var other = Authorizer.RulesFor(User("jane"), "other");

        Assert.That(team.Rules, Has.Count.EqualTo(2));
        Assert.That(team.Incomplete, Is.False);
        Assert.That(other.Rules.Single().NonResourceURLs, Is.EqualTo(new[] { "/healthz" }));
    }

    [TestCase(10)]
    [TestCase(10_000)]
    public void Authorize_AmongManyBindingsOfOthers_ReadsOnlyTheSubjectsOwn(int others)
    {
                ClusterRole("reader", ReadPods);
        for (var i = 0; i < others; i++)
        {
            Binding("ns-" + i, "b", "ClusterRole", "reader", $$"""[{"kind":"User","name":"user-{{i}}"}]""");
        }
        Binding("ns-42", "jane", "ClusterRole", "reader", """[{"kind":"User","name":"jane"}]""");
        var jane = Pods(User("jane", "dev"), "list", "ns-42");
        var authorizer = Authorizer;
        for (var i = 0; i < 10_000; i++)
        {
            authorizer.Authorize(jane); // past the JIT's tiers, whose work would count as allocations
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            authorizer.Authorize(jane);
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        watch.Stop();

        TestContext.Out.WriteLine($"{watch.Elapsed.TotalNanoseconds / 100_000:F0} ns and {allocated / 100_000} bytes per allowed decision among {others + 1} bindings");
        Assert.That(authorizer.Authorize(jane).Reason, Does.Contain("RoleBinding \"jane/ns-42\""));
        Assert.That(allocated / 100_000, Is.Zero, "an allowed decision allocates nothing (less than a byte each on average)");
        Assert.That(authorizer.Authorize(Pods(User("jane"), "list", "ns-43")).IsAllowed, Is.False);
    }
}
