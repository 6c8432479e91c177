using System.Text;

namespace MiniKube.ApiServer.Patching;

/// <summary>
/// An RFC 6901 JSON pointer split into its reference tokens, unescaped (<c>~1</c> is <c>/</c>,
/// <c>~0</c> is <c>~</c>, read left to right so that <c>~01</c> is <c>~1</c>).
/// The empty pointer names the whole document.
/// </summary>
internal sealed class JsonPointer
{
    private JsonPointer(string text, IReadOnlyList<string> tokens, bool dangling = false)
    {
        Text = text;
        Tokens = tokens;
        IsDangling = dangling;
    }

    /// <summary>The pointer as written, for messages.</summary>
    public string Text { get; }

    public IReadOnlyList<string> Tokens { get; }

    public bool IsRoot => Tokens.Count == 0;

    /// <summary>True for text that is not a pointer: it names nothing in any document.</summary>
    public bool IsDangling { get; }

    /// <summary>The token naming the target inside its parent; only for non-root pointers.</summary>
    public string Last => Tokens[^1];

    /// <summary>The parsed pointer, or null when the text is not a pointer (it must be empty or start with '/').</summary>
    public static JsonPointer? TryParse(string text)
    {
        if (text.Length == 0)
        {
            return new JsonPointer(text, []);
        }
        if (text[0] != '/')
        {
            return null;
        }
        var tokens = text[1..].Split('/');
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = Unescape(tokens[i]);
        }
        return new JsonPointer(text, tokens);
    }

    /// <summary>A pointer that resolves to nothing, for text that is not a pointer but must still be reported.</summary>
    public static JsonPointer Dangling(string text) => new(text, [text], dangling: true);

    private static string Unescape(string token)
    {
        if (!token.Contains('~', StringComparison.Ordinal))
        {
            return token;
        }
        var result = new StringBuilder(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '~' && i + 1 < token.Length && token[i + 1] is '0' or '1')
            {
                result.Append(token[i + 1] == '0' ? '~' : '/');
                i++;
            }
            else
            {
                result.Append(token[i]);
            }
        }
        return result.ToString();
    }
}
