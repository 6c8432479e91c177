using System.Diagnostics;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The evaluation of every rule of one object (apiextensions-apiserver
/// pkg/apiserver/schema/cel/validation.go): conversions of the object's JSON shared between
/// nodes, the per-object time budget, and the stop after a cost overrun. A false rule is a field
/// error in upstream's words (<c>spec: Invalid value: "object": &lt;message&gt;</c>); a rule
/// without oldSelf that fails on a value equal to its correlated old value is ratcheted (dropped),
/// as upstream's CRDValidationRatcheting. One scope per object; not thread-safe.
/// </summary>
public sealed class CelRuleScope
{
    /// <summary>Longest a messageExpression's result may be (celconfig.MaxEvaluatedMessageExpressionSizeBytes).</summary>
    private const int MaxMessageBytes = 5 * 1024;

    /// <summary>Time budget for evaluating all rules of one object, standing in for upstream's per-object cost budget.</summary>
    private static readonly TimeSpan ObjectBudget = TimeSpan.FromSeconds(2);

    private readonly CelActivation conversions = new();
    private bool stopped;

    // Time spent evaluating this object's rules: only inside Validate, so neither the walk between
    // nodes nor a node's first compilation (served schemas compile on first use) is charged.
    private TimeSpan spent;

    /// <summary>
    /// Evaluates <paramref name="rules"/> with <c>self</c> = <paramref name="value"/> and
    /// <c>oldSelf</c> = <paramref name="old"/> (null on create or without a correlated old value;
    /// transition rules then do not run unless optionalOldSelf). <paramref name="resourceRoot"/>
    /// marks the object itself, of which only apiVersion, kind, metadata.name and generateName are visible.
    /// </summary>
    public void Validate(CelRuleSet rules, JsonNode? value, JsonNode? old, FieldPath at, bool resourceRoot, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(at);
        ArgumentNullException.ThrowIfNull(errors);
        // Rules only see non-null values; a nullable field's null is checked from its parent.
        if (stopped || value is null)
        {
            return;
        }
        if (spent > ObjectBudget)
        {
            errors.Add(FieldError.Invalid(at, BadValue.Of(rules.Type), "validation failed due to running out of cost budget, no further validation rules will be run"));
            stopped = true;
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var rule in rules.Rules)
            {
                Evaluate(rules, rule, at, value, old, resourceRoot, errors);
                if (stopped)
                {
                    return;
                }
            }
        }
        finally
        {
            spent += Stopwatch.GetElapsedTime(started);
        }
    }

    private void Evaluate(CelRuleSet node, ValidationRule rule, FieldPath path, JsonNode value, JsonNode? old, bool resourceRoot, List<FieldError> errors)
    {
        if (rule.UsesOldSelf && old is null && !rule.OptionalOldSelf)
        {
            return; // a transition rule needs a value to compare with
        }
        var activation = conversions.Sharing().Bind("self", value, node.Schema, resourceRoot);
        if (rule.OptionalOldSelf)
        {
            activation.BindOptional("oldSelf", old, old is not null, node.Schema, resourceRoot);
        }
        else if (old is not null)
        {
            activation.Bind("oldSelf", old, node.Schema, resourceRoot);
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
        // Ratcheting: a rule that ignores oldSelf does not fail an unchanged value.
        if (!rule.UsesOldSelf && old is not null && JsonNode.DeepEquals(value, old))
        {
            return;
        }
        var errorPath = rule.FieldPath.Length > 0 ? path.Child(rule.FieldPath) : path;
        var detail = Message(rule, activation) ?? rule.DefaultMessage;
        errors.Add(rule.Reason switch
        {
            FieldErrorType.FieldValueForbidden => FieldError.Forbidden(errorPath, detail),
            FieldErrorType.FieldValueRequired => FieldError.Required(errorPath, detail),
            FieldErrorType.FieldValueDuplicate => FieldError.Duplicate(errorPath, type),
            _ => FieldError.Invalid(errorPath, type, detail),
        });
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
