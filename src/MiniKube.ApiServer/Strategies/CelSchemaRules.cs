using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// CEL as the structural schema's rule validator: the adapter between CustomResources'
/// <see cref="ISchemaRuleValidator"/> seam (which walks the object) and Cel's engine (which
/// compiles and evaluates one node's rules), so both stay in the rules layer. One instance per
/// schema: <see cref="CheckRules"/> compiles each node's rules once while
/// <see cref="CustomResourceSchema.Create"/> runs, and requests then only look them up; every
/// object gets its own <see cref="CelRuleScope"/> (budget, shared conversions).
/// </summary>
public sealed class CelSchemaRules(ICelEngine? engine = null) : ISchemaRuleValidator
{
    // Written only while the schema is created, read-only afterwards: safe for concurrent requests.
    private readonly Dictionary<JsonArray, CelRuleSet> compiled = new(ReferenceEqualityComparer.Instance);
    private readonly ICelEngine engine = engine ?? CelNetEngine.Instance;

    public void CheckRules(StructuralSchema node, JsonArray rules, FieldPath at, List<FieldError> errors, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(rules);
        compiled[rules] = CelRuleSet.Compile(rules, node.Source ?? [], at, engine, warnings);
    }

    public ISchemaRuleValidator BeginObject() => new Scope(compiled, new CelRuleScope());

    public void Validate(StructuralSchema node, JsonArray rules, JsonNode? value, JsonNode? oldValue, FieldPath at, List<FieldError> errors) =>
        BeginObject().Validate(node, rules, value, oldValue, at, errors);

    private sealed class Scope(Dictionary<JsonArray, CelRuleSet> compiled, CelRuleScope scope) : ISchemaRuleValidator
    {
        public void CheckRules(StructuralSchema node, JsonArray rules, FieldPath at, List<FieldError> errors, List<string> warnings) =>
            throw new InvalidOperationException("rules are checked when the schema is created");

        public void Validate(StructuralSchema node, JsonArray rules, JsonNode? value, JsonNode? oldValue, FieldPath at, List<FieldError> errors)
        {
            if (compiled.TryGetValue(rules, out var set) && !set.IsEmpty)
            {
                // The walk starts at the object itself with the root path.
                scope.Validate(set, value, oldValue, at, ReferenceEquals(at, FieldPath.Root), errors);
            }
        }
    }
}
