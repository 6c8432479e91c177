using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The compiled <c>x-kubernetes-validations</c> of one schema node (apiextensions-apiserver
/// pkg/apiserver/schema/cel/compilation.go): each rule with its message or messageExpression,
/// reason and fieldPath. Rules that do not compile are not fatal: <see cref="Compile"/> lists them
/// as warnings (the CRD is still accepted) and they are skipped. Which nodes and values are
/// visited is the schema walker's (CustomResources' SchemaRuleWalker); this evaluates one node's
/// rules against one value in a <see cref="CelRuleScope"/>. Immutable and thread-safe.
/// </summary>
public sealed class CelRuleSet
{
    private CelRuleSet(JsonObject schema, string type, IReadOnlyList<ValidationRule> rules)
    {
        Schema = schema;
        Type = type;
        Rules = rules;
    }

    /// <summary>The node's schema as written, which decides how JSON becomes CEL values.</summary>
    internal JsonObject Schema { get; }

    /// <summary>The node's type, as errors name the value (<c>Invalid value: "object"</c>).</summary>
    internal string Type { get; }

    internal IReadOnlyList<ValidationRule> Rules { get; }

    /// <summary>True when no rule compiled.</summary>
    public bool IsEmpty => Rules.Count == 0;

    /// <summary>
    /// Compiles <paramref name="rules"/> of the node <paramref name="schema"/> found at
    /// <paramref name="at"/> in the CRD; warnings name each rule that could not be compiled
    /// (<c>&lt;at&gt;.x-kubernetes-validations[i].rule: compilation failed: …</c>).
    /// </summary>
    public static CelRuleSet Compile(JsonArray rules, JsonObject schema, FieldPath at, ICelEngine engine, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(at);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(warnings);
        var compiled = new List<ValidationRule>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is JsonObject rule && Rule(engine, rule, schema, at.Child("x-kubernetes-validations").Index(i), warnings) is { } one)
            {
                compiled.Add(one);
            }
        }
        return new CelRuleSet(schema, (string?)schema["type"] ?? "", compiled);
    }

    private static ValidationRule? Rule(ICelEngine engine, JsonObject rule, JsonObject schema, FieldPath path, List<string> warnings)
    {
        var text = (string?)rule["rule"] ?? "";
        var compiled = engine.Compile(text, CelDeclarations.SelfAndOldSelf);
        if (compiled.Program is not { } program)
        {
            warnings.Add($"{path.Child("rule")}: compilation failed: {compiled.Error}");
            return null;
        }
        ICelProgram? messageExpression = null;
        if ((string?)rule["messageExpression"] is { Length: > 0 } messageText)
        {
            var message = engine.Compile(messageText, CelDeclarations.SelfAndOldSelf);
            if (message.Program is null)
            {
                warnings.Add($"{path.Child("messageExpression")}: messageExpression compilation failed: {message.Error}");
            }
            messageExpression = message.Program;
        }
        var reason = FieldErrorType.FieldValueInvalid;
        if ((string?)rule["reason"] is { Length: > 0 } reasonText)
        {
            if (reasonText is "FieldValueInvalid" or "FieldValueForbidden" or "FieldValueRequired" or "FieldValueDuplicate")
            {
                reason = Enum.Parse<FieldErrorType>(reasonText);
            }
            else
            {
                warnings.Add($"{path.Child("reason")}: Unsupported value: {GoSyntax.Quote(reasonText)}: supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"");
            }
        }
        var fieldPath = "";
        if ((string?)rule["fieldPath"] is { Length: > 0 } fieldPathText)
        {
            var (normalized, error) = RuleFieldPath.Normalize(fieldPathText, schema);
            if (error is not null)
            {
                warnings.Add($"{path.Child("fieldPath")}: Invalid value: {GoSyntax.Quote(fieldPathText)}: fieldPath must be a valid path: {error}");
            }
            fieldPath = normalized ?? "";
        }
        var optionalOldSelf = rule["optionalOldSelf"] is JsonValue flag && flag.TryGetValue<bool>(out var b) && b;
        return new ValidationRule(text, program, (string?)rule["message"] ?? "", messageExpression, reason, fieldPath, optionalOldSelf);
    }
}
