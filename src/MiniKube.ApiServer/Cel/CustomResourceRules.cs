using System.Diagnostics;
using System.Runtime.CompilerServices;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The <c>x-kubernetes-validations</c> rules of one CRD version's openAPIV3Schema, compiled
/// once, and their evaluation against an object (apiextensions-apiserver
/// pkg/apiserver/schema/cel/validation.go). The schema is walked with the object: at every
/// node with rules, each rule runs with <c>self</c> (and <c>oldSelf</c> when the old object has a
/// correlated value there: same property, same map key, or the same keys of a
/// <c>x-kubernetes-list-type: map</c> item). A false rule is a field error in upstream's words:
/// <c>spec: Invalid value: "object": &lt;message&gt;</c>. Rules that do not compile are not fatal:
/// <see cref="Compile"/> lists them as warnings (the CRD is still accepted) and they are skipped.
/// Immutable and thread-safe once compiled.
/// </summary>
public sealed class CustomResourceRules
{
    /// <summary>Longest a messageExpression's result may be (celconfig.MaxEvaluatedMessageExpressionSizeBytes).</summary>
    private const int MaxMessageBytes = 5 * 1024;

    /// <summary>Wall-clock budget for all rules of one object, standing in for upstream's per-object cost budget.</summary>
    private static readonly TimeSpan ObjectBudget = TimeSpan.FromSeconds(2);

    private static readonly ConditionalWeakTable<JsonObject, Compiled> Cache = [];

    private readonly RuleNode? root;

    private CustomResourceRules(RuleNode? root) => this.root = root;

    /// <summary>True when the schema has no rules that could run.</summary>
    public bool IsEmpty => root is null;

    /// <summary>
    /// Compiles the rules of <paramref name="openApiV3Schema"/>. Cached by the schema object:
    /// calling again with the same instance costs a lookup. Warnings name each rule that could not
    /// be compiled (<c>&lt;path&gt;.x-kubernetes-validations[i].rule: compilation failed: …</c>).
    /// </summary>
    /// <param name="schemaPath">Where the schema sits in the CRD, for warnings (default <c>openAPIV3Schema</c>).</param>
    public static (CustomResourceRules Rules, IReadOnlyList<string> Warnings) Compile(JsonObject openApiV3Schema, ICelEngine? engine = null, FieldPath? schemaPath = null)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        if (engine is null && schemaPath is null && Cache.TryGetValue(openApiV3Schema, out var cached))
        {
            return (cached.Rules, cached.Warnings);
        }
        var warnings = new List<string>();
        var compiler = new RuleCompiler(engine ?? CelNetEngine.Instance, warnings);
        var node = compiler.Node(openApiV3Schema, schemaPath ?? FieldPath.Of("openAPIV3Schema"), resourceRoot: true);
        var result = new Compiled(new CustomResourceRules(node), warnings);
        if (engine is null && schemaPath is null)
        {
            Cache.AddOrUpdate(openApiV3Schema, result);
        }
        return (result.Rules, result.Warnings);
    }

    /// <summary>
    /// Evaluates every rule against <paramref name="newObj"/>; <paramref name="oldObj"/> is the
    /// stored object on update, null on create. Failed rules become <paramref name="errors"/>;
    /// errors of rules without oldSelf at values that did not change are ratcheted into
    /// <paramref name="warnings"/> instead, as upstream's CRDValidationRatcheting does.
    /// </summary>
    public void Validate(JsonNode? newObj, JsonNode? oldObj, List<FieldError> errors, List<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (root is null || newObj is null)
        {
            return;
        }
        var walk = new Walk(errors, warnings, new CelActivation(), Stopwatch.StartNew());
        walk.Node(root, FieldPath.Root, newObj, oldObj);
    }

    private sealed record Compiled(CustomResourceRules Rules, IReadOnlyList<string> Warnings);

    /// <summary>A schema node with rules somewhere at or below it; nodes without any are dropped.</summary>
    private sealed class RuleNode
    {
        public required JsonObject Schema { get; init; }

        public required string Type { get; init; }

        public required bool ResourceRoot { get; init; }

        public List<ValidationRule> Rules { get; } = [];

        public Dictionary<string, RuleNode> Properties { get; } = new(StringComparer.Ordinal);

        public RuleNode? AdditionalProperties { get; set; }

        public RuleNode? Items { get; set; }

        public List<RuleNode> AllOf { get; } = [];

        public bool IsEmpty => Rules.Count == 0 && Properties.Count == 0 && AdditionalProperties is null && Items is null && AllOf.Count == 0;
    }

    private sealed class RuleCompiler(ICelEngine engine, List<string> warnings)
    {
        private static readonly CelDeclarations MessageDeclarations = CelDeclarations.SelfAndOldSelf;

        public RuleNode? Node(JsonObject schema, FieldPath path, bool resourceRoot = false)
        {
            var node = new RuleNode { Schema = schema, Type = (string?)schema["type"] ?? "", ResourceRoot = resourceRoot };
            if (schema["x-kubernetes-validations"] is JsonArray rules)
            {
                for (var i = 0; i < rules.Count; i++)
                {
                    if (rules[i] is JsonObject rule && Rule(rule, schema, path.Child("x-kubernetes-validations").Index(i)) is { } compiled)
                    {
                        node.Rules.Add(compiled);
                    }
                }
            }
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (name, child) in properties)
                {
                    if (child is JsonObject childSchema && Node(childSchema, path.Child("properties").Key(name)) is { } childNode)
                    {
                        node.Properties[name] = childNode;
                    }
                }
            }
            if (schema["additionalProperties"] is JsonObject additional)
            {
                node.AdditionalProperties = Node(additional, path.Child("additionalProperties"));
            }
            if (schema["items"] is JsonObject items)
            {
                node.Items = Node(items, path.Child("items"));
            }
            if (schema["allOf"] is JsonArray allOf)
            {
                for (var i = 0; i < allOf.Count; i++)
                {
                    if (allOf[i] is JsonObject part && Node(part, path.Child("allOf").Index(i)) is { } partNode)
                    {
                        node.AllOf.Add(partNode);
                    }
                }
            }
            return node.IsEmpty ? null : node;
        }

        private ValidationRule? Rule(JsonObject rule, JsonObject schema, FieldPath path)
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
                var message = engine.Compile(messageText, MessageDeclarations);
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

    /// <summary>One object's evaluation: the errors found so far and the shared conversions.</summary>
    private sealed class Walk(List<FieldError> errors, List<string>? warnings, CelActivation conversions, Stopwatch clock)
    {
        private bool stopped;

        public void Node(RuleNode node, FieldPath path, JsonNode? value, JsonNode? old)
        {
            // Rules only see non-null values; a nullable field's null is checked from its parent.
            if (stopped || value is null)
            {
                return;
            }
            if (clock.Elapsed > ObjectBudget)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Of(node.Type), "validation failed due to running out of cost budget, no further validation rules will be run"));
                stopped = true;
                return;
            }
            foreach (var rule in node.Rules)
            {
                Evaluate(node, rule, path, value, old);
                if (stopped)
                {
                    return;
                }
            }
            foreach (var part in node.AllOf)
            {
                Node(part, path, value, old);
            }
            switch (value)
            {
                case JsonObject obj:
                    var oldObj = old as JsonObject;
                    foreach (var (key, child) in obj)
                    {
                        if (node.Properties.TryGetValue(key, out var property))
                        {
                            Node(property, path.Child(key), child, oldObj?[key]);
                        }
                        else if (node.AdditionalProperties is { } additional && !(node.Schema["properties"] is JsonObject declared && declared.ContainsKey(key)))
                        {
                            Node(additional, path.Key(key), child, oldObj?[key]);
                        }
                    }
                    break;
                case JsonArray array when node.Items is { } items:
                    var correlated = OldItems(node.Schema, old as JsonArray);
                    for (var i = 0; i < array.Count; i++)
                    {
                        Node(items, path.Index(i), array[i], correlated?.Invoke(array[i]));
                    }
                    break;
            }
        }

        // Only items of a map-type list correlate with old items, by their key fields (validation.go makeMapList).
        private static Func<JsonNode?, JsonNode?>? OldItems(JsonObject schema, JsonArray? old)
        {
            if (old is null || (string?)schema["x-kubernetes-list-type"] != "map" || schema["x-kubernetes-list-map-keys"] is not JsonArray keyNames)
            {
                return null;
            }
            var keys = keyNames.Select(k => (string?)k ?? "").ToArray();
            var byKey = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var item in old)
            {
                byKey.TryAdd(Key(item, keys), item);
            }
            return item => byKey.GetValueOrDefault(Key(item, keys));
        }

        private static string Key(JsonNode? item, string[] keys) =>
            string.Join("\u0000", keys.Select(k => item?[k]?.ToJsonString() ?? "null"));

        private void Evaluate(RuleNode node, ValidationRule rule, FieldPath path, JsonNode value, JsonNode? old)
        {
            if (rule.UsesOldSelf && old is null && !rule.OptionalOldSelf)
            {
                return; // a transition rule needs a value to compare with
            }
            var activation = conversions.Sharing().Bind("self", value, node.Schema, node.ResourceRoot);
            if (rule.OptionalOldSelf)
            {
                activation.BindOptional("oldSelf", old, old is not null, node.Schema, node.ResourceRoot);
            }
            else if (old is not null)
            {
                activation.Bind("oldSelf", old, node.Schema, node.ResourceRoot);
            }
            var outcome = rule.Program.Evaluate(activation);
            if (!outcome.IsError && outcome.Value?.Kind != CelValueKind.Bool)
            {
                // cel-go's checker only admits bool rules; cel-net yields null where an operand failed (all/exists over an error).
                outcome = new CelOutcome(null, "no such overload");
            }
            var type = BadValue.Of(node.Type);
            if (outcome.IsError)
            {
                if (outcome.CostExceeded)
                {
                    errors.Add(FieldError.Invalid(path, type, $"'{outcome.Error}': no further validation rules will be run due to call cost exceeds limit for rule: {rule.ErrorString}"));
                    stopped = true;
                }
                else if (outcome.Error!.StartsWith("no such overload", StringComparison.Ordinal))
                {
                    errors.Add(FieldError.Invalid(path, type, $"'{outcome.Error}': call arguments did not match a supported operator, function or macro signature for rule: {rule.ErrorString}"));
                }
                else
                {
                    errors.Add(FieldError.Invalid(path, type, $"{outcome.Error} evaluating rule: {rule.ErrorString}"));
                }
                return;
            }
            if (outcome.IsTrue)
            {
                return;
            }
            var errorPath = rule.FieldPath.Length > 0 ? path.Child(rule.FieldPath) : path;
            var detail = Message(rule, activation) ?? rule.DefaultMessage;
            var error = rule.Reason switch
            {
                FieldErrorType.FieldValueForbidden => FieldError.Forbidden(errorPath, detail),
                FieldErrorType.FieldValueRequired => FieldError.Required(errorPath, detail),
                FieldErrorType.FieldValueDuplicate => FieldError.Duplicate(errorPath, type),
                _ => FieldError.Invalid(errorPath, type, detail),
            };
            // Ratcheting: a rule that ignores oldSelf does not fail an unchanged value.
            if (!rule.UsesOldSelf && old is not null && JsonNode.DeepEquals(value, old))
            {
                warnings?.Add(error.Message);
                return;
            }
            errors.Add(error);
        }

        // The messageExpression's text, or null to fall back to message (evalMessageExpression).
        private string? Message(ValidationRule rule, CelActivation activation)
        {
            if (rule.MessageExpression is not { } expression)
            {
                return null;
            }
            var outcome = expression.Evaluate(activation);
            if (outcome.CostExceeded)
            {
                stopped = true;
                return null;
            }
            var text = outcome.Value?.AsString()?.Trim();
            return string.IsNullOrEmpty(text) || text.Contains('\n', StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetByteCount(text) > MaxMessageBytes
                ? null
                : text;
        }
    }
}
