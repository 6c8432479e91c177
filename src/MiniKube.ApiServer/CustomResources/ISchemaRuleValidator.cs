using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// The seam for <c>x-kubernetes-validations</c> (CEL) rules, step 6 of upstream's order after
/// structural check, pruning, defaulting, value validation and list types. The schema engine
/// never evaluates a rule itself: it finds the nodes that list rules, pairs each value with its
/// old value where upstream can correlate them (same property, same map key, same list-map
/// keys; never across plain lists), and calls this interface. With no implementation
/// registered, rules are not checked.
/// </summary>
public interface ISchemaRuleValidator
{
    /// <summary>
    /// At CRD time: checks the rules of one schema node (shape, compilation). Errors make the CRD
    /// invalid; a rule the engine cannot compile but upstream would accept goes to
    /// <paramref name="warnings"/> instead, so a valid CRD stays usable.
    /// </summary>
    void CheckRules(StructuralSchema node, JsonArray rules, FieldPath at, List<FieldError> errors, List<string> warnings);

    /// <summary>
    /// At request time: evaluates the rules of <paramref name="node"/> on <paramref name="value"/>
    /// (<c>self</c>) and <paramref name="oldValue"/> (<c>oldSelf</c>, null on create or when the
    /// value has no correlated old value), adding failures at <paramref name="at"/>.
    /// </summary>
    void Validate(StructuralSchema node, JsonArray rules, JsonNode? value, JsonNode? oldValue, FieldPath at, List<FieldError> errors);

    /// <summary>
    /// The validator for one object's walk: implementations that keep state per object (a time
    /// budget, shared conversions) return a fresh one; the walker calls <see cref="Validate"/> on
    /// it for every node of that object. By default the validator itself.
    /// </summary>
    ISchemaRuleValidator BeginObject() => this;
}
