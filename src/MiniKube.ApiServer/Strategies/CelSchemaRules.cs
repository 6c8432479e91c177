using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// CEL as the structural schema's rule validator: the adapter between CustomResources'
/// <see cref="ISchemaRuleValidator"/> seam (which walks the object) and Cel's engine (which
/// compiles and evaluates one node's rules), so both stay in the rules layer. One instance per
/// schema: <see cref="CheckRules"/> registers each node's rules while
/// <see cref="CustomResourceSchema.Create"/> runs, and requests then only look them up; every
/// object gets its own <see cref="CelRuleScope"/> (budget, shared conversions).
/// </summary>
public sealed class CelSchemaRules : ISchemaRuleValidator
{
    // Written only while the schema is created, read-only afterwards: safe for concurrent
    // requests (a Lazy compiles once however many requests meet it first).
    private readonly Dictionary<JsonArray, Lazy<CelRuleSet>> compiled = new(ReferenceEqualityComparer.Instance);
    private readonly ICelEngine engine;
    private readonly bool onFirstUse;

    /// <summary>Compiles every node's rules in <see cref="CheckRules"/>, reporting those that fail as warnings: the CRD-time check.</summary>
    public CelSchemaRules(ICelEngine? engine = null)
        : this(engine, onFirstUse: false)
    {
    }

    private CelSchemaRules(ICelEngine? engine, bool onFirstUse)
    {
        this.engine = engine ?? CelNetEngine.Instance;
        this.onFirstUse = onFirstUse;
    }

    /// <summary>
    /// Compiles a node's rules when an object first reaches that node: for the schemas a server
    /// serves, whose rules the CRD-time check already compiled (and warned about) when the CRD was
    /// written. A served CRD whose kind is never used then holds no compiled rules (the Gateway
    /// API's five CRDs carry hundreds), and each node compiles to the same rules either way.
    /// </summary>
    public static CelSchemaRules CompiledOnFirstUse(ICelEngine? engine = null) => new(engine, onFirstUse: true);

    public void CheckRules(StructuralSchema node, JsonArray rules, FieldPath at, List<FieldError> errors, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(warnings);
        var schema = node.Source ?? [];
        // Deferred compilations have no one to warn: the CRD-time check did that.
        var set = new Lazy<CelRuleSet>(() => CelRuleSet.Compile(rules, schema, at, engine, onFirstUse ? [] : warnings));
        compiled[rules] = set;
        if (!onFirstUse)
        {
            _ = set.Value;
        }
    }

    public ISchemaRuleValidator BeginObject() => new Scope(compiled, new CelRuleScope());

    public void Validate(StructuralSchema node, JsonArray rules, JsonNode? value, JsonNode? oldValue, FieldPath at, List<FieldError> errors) =>
        BeginObject().Validate(node, rules, value, oldValue, at, errors);

    private sealed class Scope(Dictionary<JsonArray, Lazy<CelRuleSet>> compiled, CelRuleScope scope) : ISchemaRuleValidator
    {
        public void CheckRules(StructuralSchema node, JsonArray rules, FieldPath at, List<FieldError> errors, List<string> warnings) =>
            throw new InvalidOperationException("rules are checked when the schema is created");

        public void Validate(StructuralSchema node, JsonArray rules, JsonNode? value, JsonNode? oldValue, FieldPath at, List<FieldError> errors)
        {
            if (compiled.TryGetValue(rules, out var set) && !set.Value.IsEmpty)
            {
                // The walk starts at the object itself with the root path.
                scope.Validate(set.Value, value, oldValue, at, ReferenceEquals(at, FieldPath.Root), errors);
            }
        }
    }
}
