namespace MiniKube.ApiServer.Cel;

/// <summary>
/// Compiles CEL expressions. The one seam between the API server and a CEL implementation:
/// CRD validation rules, webhook matchConditions and ValidatingAdmissionPolicy use only this
/// interface and the plain types beside it, so the engine can be replaced without touching them.
/// Implementations are thread-safe; a compiled program may be evaluated concurrently.
/// </summary>
public interface ICelEngine
{
    /// <summary>
    /// Parses and checks <paramref name="expression"/> against the declared variables. Never
    /// throws for a bad expression: the result carries the compile error instead.
    /// </summary>
    CelCompilation Compile(string expression, CelDeclarations declarations);
}

/// <summary>A compiled expression, ready to run against variable bindings.</summary>
public interface ICelProgram
{
    /// <summary>The source text.</summary>
    string Expression { get; }

    /// <summary>True when the expression reads the variable (e.g. <c>oldSelf</c>: a transition rule).</summary>
    bool References(string variable);

    /// <summary>
    /// Runs the program. Never throws for a runtime failure (no such key, overflow, no matching
    /// overload, the cost limit): the outcome carries the error in cel-go's words.
    /// </summary>
    CelOutcome Evaluate(CelActivation activation);
}

/// <summary>The variables an expression may name (upstream declares them with types; we declare names).</summary>
/// <param name="Variables">Variable names, e.g. self and oldSelf, or object, oldObject, request, params.</param>
public sealed record CelDeclarations(IReadOnlyCollection<string> Variables)
{
    /// <summary>A CRD validation rule's variables: <c>self</c> and <c>oldSelf</c>.</summary>
    public static CelDeclarations SelfAndOldSelf { get; } = new(["self", "oldSelf"]);

    /// <summary>Admission's variables (webhook matchConditions and ValidatingAdmissionPolicy).</summary>
    public static CelDeclarations Admission { get; } =
        new(["object", "oldObject", "request", "params", "namespaceObject", "variables", "authorizer"]);
}

/// <summary>The outcome of compiling: a program, or the error upstream would report.</summary>
public sealed record CelCompilation(ICelProgram? Program, string? Error)
{
    public static CelCompilation Failed(string error) => new(null, error);
}

/// <summary>
/// The outcome of one evaluation: a value or an error. <see cref="CostExceeded"/> marks the
/// error that stops all further rules of an object (upstream's "operation cancelled: actual cost
/// limit exceeded").
/// </summary>
public sealed record CelOutcome(CelValue? Value, string? Error, bool CostExceeded = false)
{
    public bool IsError => Error is not null;

    /// <summary>True only for a boolean <c>true</c> result.</summary>
    public bool IsTrue => Value is { Kind: CelValueKind.Bool, Raw: true };
}
