using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.Auth;

public class RulesReviewTests
{
    private static readonly UserInfo Jane = new("jane", [UserInfo.AuthenticatedGroup]);

    [Test]
    public void SelfSubjectRulesReview_SplitsResourceAndNonResourceRulesWithoutSpec()
    {
        var resolver = new Rules(new RuleSet(
        [
            new V1PolicyRule { Verbs = ["get", "list"], ApiGroups = [""], Resources = ["pods"], ResourceNames = ["web"] },
            new V1PolicyRule { Verbs = ["get"], NonResourceURLs = ["/healthz"] },
        ]));

        var answer = RulesReview.SelfSubjectRulesReview(JsonNode.Parse("""{"spec":{"namespace":"x"}}""")!.AsObject(), Jane, resolver);

        Assert.That(resolver.Asked, Is.EqualTo(("jane", "x")));
        Assert.That(answer.ToJsonString(), Is.EqualTo(
            """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{},"status":{"resourceRules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"],"resourceNames":["web"]}],"nonResourceRules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}],"incomplete":false}}"""));
    }

    [Test]
    public void SelfSubjectRulesReview_IncompleteList_SaysSoWithTheError()
    {
        var answer = RulesReview.SelfSubjectRulesReview(JsonNode.Parse("""{"spec":{"namespace":"x"}}""")!.AsObject(), Jane, new Rules(new RuleSet([], true, "role missing")));

        Assert.That(answer["status"]!.ToJsonString(), Is.EqualTo("""{"resourceRules":[],"nonResourceRules":[],"incomplete":true,"evaluationError":"role missing"}"""));
    }

    [Test]
    public void SelfSubjectRulesReview_NoNamespace_400()
    {
        var error = Assert.Throws<ApiException>(() => RulesReview.SelfSubjectRulesReview(JsonNode.Parse("""{"spec":{}}""")!.AsObject(), Jane, null));

        Assert.That((error!.Code, error.Message), Is.EqualTo((400, "no namespace on request")));
    }

    [Test]
    public void AuthorizerChain_RulesFor_UnionOfResolvingMembers()
    {
        var first = new Rules(new RuleSet([new V1PolicyRule { Verbs = ["get"], Resources = ["pods"] }]));
        var second = new Rules(new RuleSet([new V1PolicyRule { Verbs = ["list"], Resources = ["nodes"] }], true, "b"));
        var third = new Rules(new RuleSet([], true, "c"));

        var rules = new AuthorizerChain([first, second, third]).RulesFor(Jane, "x");

        Assert.That(rules.Rules.Select(r => r.Verbs[0]), Is.EqualTo(new[] { "get", "list" }));
        Assert.That((rules.Incomplete, rules.EvaluationError), Is.EqualTo((true, "[b, c]")));
    }

    /// <summary>An authorizer that has no opinion and lists fixed rules.</summary>
    private sealed class Rules(RuleSet rules) : IAuthorizer, IRuleResolver
    {
        public (string User, string Namespace)? Asked { get; private set; }

        public AuthorizationResult Authorize(RequestAttributes attributes) => AuthorizationResult.NoOpinion();

        public RuleSet RulesFor(UserInfo user, string @namespace)
        {
            Asked = (user.Name, @namespace);
            return rules;
        }
    }
}
