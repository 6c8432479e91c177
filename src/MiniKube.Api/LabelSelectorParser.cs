namespace MiniKube.Api;

/// <summary>
/// Parses the label selector string syntax (<c>a=b,c in (d,e),!f,g&gt;3</c>) with the grammar,
/// tokenisation and error texts of apimachinery pkg/labels/selector.go: a lexer that splits
/// on whitespace and the symbols <c>= ! ( ) , &gt; &lt;</c>, then a recursive-descent parser in
/// which <c>in</c>/<c>notin</c> are keywords only where an operator is expected.
/// </summary>
internal sealed class LabelSelectorParser
{
    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly List<(Token Token, string Literal)> _items;
    private int _position;

    private LabelSelectorParser(string selector) => _items = Lex(selector);

    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    // Whether "in"/"notin" are operators here (after a key) or plain identifiers (a value named "in").
    private enum Context
    {
        KeyAndOperator,
        Values,
    }

    public static List<LabelRequirement> Parse(string selector) => new LabelSelectorParser(selector).ParseAll();

    private List<LabelRequirement> ParseAll()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, literal) = Lookahead(Context.Values);
            switch (token)
            {
                case Token.Identifier or Token.DoesNotExist:
                    try
                    {
                        requirements.Add(ParseRequirement());
                    }
                    catch (InvalidSelectorException e)
                    {
                        throw new InvalidSelectorException("unable to parse requirement: " + e.Message, e);
                    }

                    var (next, nextLiteral) = Consume(Context.Values);
                    switch (next)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (after, afterLiteral) = Lookahead(Context.Values);
                            if (after is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new InvalidSelectorException($"found '{afterLiteral}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new InvalidSelectorException($"found '{nextLiteral}', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new InvalidSelectorException($"found '{literal}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        var (key, op) = ParseKeyAndInferOperator();
        if (op is LabelOperator.Exists or LabelOperator.DoesNotExist)
        {
            return LabelRequirement.Create(key, op.Value, []);
        }

        var binary = ParseOperator();
        var values = binary is LabelOperator.In or LabelOperator.NotIn ? ParseValues() : ParseExactValue();
        // Upstream collects values in a string set: sorted, duplicates dropped.
        return LabelRequirement.Create(key, binary, values.Order(StringComparer.Ordinal).ToList());
    }

    private (string Key, LabelOperator? Operator) ParseKeyAndInferOperator()
    {
        LabelOperator? op = null;
        var (token, literal) = Consume(Context.Values);
        if (token == Token.DoesNotExist)
        {
            op = LabelOperator.DoesNotExist;
            (token, literal) = Consume(Context.Values);
        }

        if (token != Token.Identifier)
        {
            throw new InvalidSelectorException($"found '{literal}', expected: identifier");
        }

        if (LabelSyntax.KeyErrors(literal) is { Count: > 0 } errors)
        {
            // Upstream validates here with a nil field path, which Go prints as "<nil>".
            throw new InvalidSelectorException(LabelSyntax.Invalid("<nil>", literal, string.Join("; ", errors)));
        }

        if (Lookahead(Context.Values).Token is Token.EndOfString or Token.Comma && op != LabelOperator.DoesNotExist)
        {
            op = LabelOperator.Exists;
        }

        return (literal, op);
    }

    private LabelOperator ParseOperator()
    {
        var (token, literal) = Consume(Context.KeyAndOperator);
        return token switch
        {
            Token.In => LabelOperator.In,
            Token.Equals => LabelOperator.Equals,
            Token.DoubleEquals => LabelOperator.DoubleEquals,
            Token.GreaterThan => LabelOperator.GreaterThan,
            Token.LessThan => LabelOperator.LessThan,
            Token.NotIn => LabelOperator.NotIn,
            Token.NotEquals => LabelOperator.NotEquals,
            _ => throw new InvalidSelectorException($"found '{literal}', expected: {BinaryOperators}"),
        };
    }

    private HashSet<string> ParseValues()
    {
        var (token, literal) = Consume(Context.Values);
        if (token != Token.OpenPar)
        {
            throw new InvalidSelectorException($"found '{literal}' expected: '('");
        }

        (token, literal) = Lookahead(Context.Values);
        switch (token)
        {
            case Token.Identifier or Token.Comma:
                var values = ParseIdentifierList();
                if (Consume(Context.Values).Token != Token.ClosedPar)
                {
                    throw new InvalidSelectorException($"found '{literal}', expected: ')'");
                }

                return values;
            case Token.ClosedPar:
                // "()" is the set holding only the empty value.
                Consume(Context.Values);
                return [""];
            default:
                throw new InvalidSelectorException($"found '{literal}', expected: ',', ')' or identifier");
        }
    }

    // A comma-separated list in which empty entries ("(,a)", "(a,,b)", "(a,)") stand for "".
    private HashSet<string> ParseIdentifierList()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (token, literal) = Consume(Context.Values);
            switch (token)
            {
                case Token.Identifier:
                    values.Add(literal);
                    var (next, nextLiteral) = Lookahead(Context.Values);
                    switch (next)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return values;
                        default:
                            throw new InvalidSelectorException($"found '{nextLiteral}', expected: ',' or ')'");
                    }

                case Token.Comma:
                    if (values.Count == 0)
                    {
                        values.Add("");
                    }

                    var following = Lookahead(Context.Values).Token;
                    if (following == Token.ClosedPar)
                    {
                        values.Add("");
                        return values;
                    }

                    if (following == Token.Comma)
                    {
                        values.Add("");
                    }

                    break;
                default:
                    throw new InvalidSelectorException($"found '{literal}', expected: ',', or identifier");
            }
        }
    }

    private HashSet<string> ParseExactValue()
    {
        if (Lookahead(Context.Values).Token is Token.EndOfString or Token.Comma)
        {
            return [""];
        }

        var (token, literal) = Consume(Context.Values);
        return token == Token.Identifier ? [literal] : throw new InvalidSelectorException($"found '{literal}', expected: identifier");
    }

    private (Token Token, string Literal) Lookahead(Context context) => AsContext(_items[_position], context);

    private (Token Token, string Literal) Consume(Context context)
    {
        var item = _items[_position];
        // The token list always ends in EndOfString; never step past it.
        if (_position < _items.Count - 1)
        {
            _position++;
        }

        return AsContext(item, context);
    }

    private static (Token Token, string Literal) AsContext((Token Token, string Literal) item, Context context) =>
        context == Context.Values && item.Token is Token.In or Token.NotIn ? (Token.Identifier, item.Literal) : item;

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecialSymbol(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    private static Token? Keyword(string text) => text switch
    {
        ")" => Token.ClosedPar,
        "," => Token.Comma,
        "!" => Token.DoesNotExist,
        "==" => Token.DoubleEquals,
        "=" => Token.Equals,
        ">" => Token.GreaterThan,
        "in" => Token.In,
        "<" => Token.LessThan,
        "!=" => Token.NotEquals,
        "notin" => Token.NotIn,
        "(" => Token.OpenPar,
        _ => null,
    };

    private static List<(Token, string)> Lex(string s)
    {
        var items = new List<(Token, string)>();
        var pos = 0;
        while (true)
        {
            while (pos < s.Length && IsWhitespace(s[pos]))
            {
                pos++;
            }

            if (pos == s.Length)
            {
                items.Add((Token.EndOfString, ""));
                return items;
            }

            var start = pos;
            if (IsSpecialSymbol(s[pos]))
            {
                // Longest run of symbols that is still an operator: "!=" rather than "!" then "=".
                Token? longest = null;
                var end = pos;
                while (pos < s.Length && IsSpecialSymbol(s[pos]))
                {
                    if (Keyword(s[start..(pos + 1)]) is { } token)
                    {
                        longest = token;
                        end = pos + 1;
                    }
                    else if (longest is not null)
                    {
                        break;
                    }

                    pos++;
                }

                if (longest is null)
                {
                    items.Add((Token.Error, $"error expected: keyword found '{s[start..pos]}'"));
                    continue;
                }

                pos = end;
                items.Add((longest.Value, s[start..end]));
            }
            else
            {
                while (pos < s.Length && !IsSpecialSymbol(s[pos]) && !IsWhitespace(s[pos]))
                {
                    pos++;
                }

                var text = s[start..pos];
                items.Add((Keyword(text) ?? Token.Identifier, text));
            }
        }
    }
}
