using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// One compiled <c>x-kubernetes-validations</c> entry (apiextensions ValidationRule): the rule,
/// its message or messageExpression, reason and fieldPath, as the CRD gave them. A rule whose
/// expression did not compile never becomes one of these (it is a warning instead).
/// </summary>
internal sealed record ValidationRule(
    string Rule,
    ICelProgram Program,
    string Message,
    ICelProgram? MessageExpression,
    FieldErrorType Reason,
    string FieldPath,
    bool OptionalOldSelf)
{
    /// <summary>A transition rule: reads oldSelf, so runs only with a correlated old value (or optionalOldSelf).</summary>
    public bool UsesOldSelf => Program.References("oldSelf");

    /// <summary>The rule as error messages name it: its message if it has one, else its expression (validation.go ruleErrorString).</summary>
    public string ErrorString => Message.Length > 0 ? Message.Trim() : Rule.Trim();

    /// <summary>The detail of a failed rule without a usable messageExpression (ruleMessageOrDefault).</summary>
    public string DefaultMessage => Message.Length == 0 ? "failed rule: " + ErrorString : Message.Trim();
}
