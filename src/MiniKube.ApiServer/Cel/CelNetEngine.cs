using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using CelNet = global::Cel;
using CelParser = global::Cel.Internal.CelParser;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// <see cref="ICelEngine"/> on cel-net (the NuGet package <c>Cel</c>, a tree-walking
/// interpreter over its ANTLR parse tree) with Kubernetes' libraries registered
/// (<see cref="KubernetesLibrary"/>). cel-net has no type checker, so <see cref="Compile"/>
/// adds a light check of its own over the parse tree: undeclared variables and unknown
/// functions are compile errors as in cel-go, and the depth of nested comprehensions feeds the
/// cost guard. Type errors (<c>1 + 'a'</c>) surface only when a rule runs.
/// </summary>
public sealed class CelNetEngine : ICelEngine
{
    private static readonly Lazy<CelNet.CelEnvironment> SharedEnvironment = new(() =>
    {
        var env = new CelNet.CelEnvironment(null, null);
        KubernetesLibrary.Register(env);
        return env;
    });

    /// <summary>The one engine; stateless apart from the registered library.</summary>
    public static CelNetEngine Instance { get; } = new();

    public CelCompilation Compile(string expression, CelDeclarations declarations)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(declarations);
        if (string.IsNullOrWhiteSpace(expression))
        {
            return CelCompilation.Failed("ERROR: <input>:1:1: Syntax error: mismatched input '<EOF>' expecting expression");
        }
        var env = SharedEnvironment.Value;
        CelParser.StartContext tree;
        try
        {
            tree = env.Parse(expression);
        }
        catch (CelNet.CelExpressionParserException e)
        {
            return CelCompilation.Failed(SyntaxError(expression, e.Message));
        }

        var analysis = new CelTreeAnalysis(declarations.Variables);
        analysis.Visit(tree);
        if (analysis.Error is { } error)
        {
            return CelCompilation.Failed(Located(expression, error.Line, error.Column, error.Message));
        }
        var program = env.Compile(tree);
        return new CelCompilation(new CelNetProgram(expression, program, analysis.Variables, analysis.ComprehensionDepth), null);
    }

    // cel-net reports "Line 1:4 mismatched input ..."; cel-go "ERROR: <input>:1:5: Syntax error: mismatched input ...".
    private static string SyntaxError(string expression, string message)
    {
        var first = message.Split('\n')[0].Trim();
        if (first.StartsWith("Line ", StringComparison.Ordinal))
        {
            var space = first.IndexOf(' ', 5);
            var position = space > 0 ? first[5..space].Split(':') : [];
            if (position.Length == 2 && int.TryParse(position[0], out var line) && int.TryParse(position[1], out var column))
            {
                return Located(expression, line, column, "Syntax error: " + first[(space + 1)..]);
            }
        }
        return "ERROR: <input>:1:1: Syntax error: " + first;
    }

    // cel-go's error rendering: the location (column 1-based), the message, then the line with a caret.
    private static string Located(string expression, int line, int column, string message)
    {
        var lines = expression.Split('\n');
        var text = line >= 1 && line <= lines.Length ? lines[line - 1].TrimEnd('\r') : "";
        var caret = new StringBuilder().Append(' ', Math.Clamp(column, 0, text.Length)).Append('^');
        return $"ERROR: <input>:{line}:{column + 1}: {message}\n | {text}\n | {caret}";
    }

    /// <summary>Walks the parse tree for references, unknown names and comprehension nesting.</summary>
    private sealed class CelTreeAnalysis(IReadOnlyCollection<string> declared)
    {
        private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal)
        {
            "int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn",
        };

        private readonly Stack<string> scope = new();

        public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);

        public int ComprehensionDepth { get; private set; }

        public (int Line, int Column, string Message)? Error { get; private set; }

        public void Visit(IParseTree node, int depth = 0)
        {
            if (Error is not null)
            {
                return;
            }
            switch (node)
            {
                case CelParser.MemberCallContext call when KubernetesLibrary.IsMacro(call.id.Text) && call.exprList() is { _e.Count: 3 }:
                    // cel-net evaluates only the one-variable, two-argument forms.
                    Fail(call.id, $"{call.id.Text}() with three arguments is not supported by this CEL engine");
                    return;
                case CelParser.MemberCallContext call when KubernetesLibrary.IsMacro(call.id.Text) && call.exprList() is { } args && args._e.Count == 2:
                    Visit(call.member(), depth);
                    var variable = args._e[0].GetText();
                    ComprehensionDepth = Math.Max(ComprehensionDepth, depth + 1);
                    scope.Push(variable);
                    for (var i = 1; i < args._e.Count; i++)
                    {
                        Visit(args._e[i], depth + 1);
                    }
                    scope.Pop();
                    return;
                case CelParser.MemberCallContext call when !KubernetesLibrary.IsFunction(call.id.Text):
                    Fail(call.id, $"undeclared reference to '{call.id.Text}' (in container '')");
                    return;
                case CelParser.IdentOrGlobalCallContext ident when ident.exprList() is null && ident.op is null:
                    var name = ident.id.Text;
                    if (!scope.Contains(name) && !declared.Contains(name) && !TypeNames.Contains(name) && !KubernetesLibrary.IsNamespace(name))
                    {
                        Fail(ident.id, $"undeclared reference to '{name}' (in container '')");
                        return;
                    }
                    if (!scope.Contains(name))
                    {
                        Variables.Add(name);
                    }
                    return;
                case CelParser.IdentOrGlobalCallContext global when !KubernetesLibrary.IsFunction(global.id.Text) && !TypeNames.Contains(global.id.Text):
                    Fail(global.id, $"undeclared reference to '{global.id.Text}' (in container '')");
                    return;
            }
            for (var i = 0; i < node.ChildCount; i++)
            {
                Visit(node.GetChild(i), depth);
            }
        }

        private void Fail(IToken token, string message) => Error = (token.Line, token.Column, message);
    }
}
