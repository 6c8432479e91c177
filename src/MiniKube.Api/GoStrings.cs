using System.Globalization;
using System.Text;

namespace MiniKube.Api;

/// <summary>
/// Text as Go prints it, for messages that must read byte for byte like upstream's (selector
/// and cron errors here, field errors in the API server).
/// </summary>
public static class GoStrings
{
    /// <summary>Go's strconv.Quote: double quotes, backslash escapes, printable Unicode kept.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var rune = new Rune(c, value[i + 1]);
                i++;
                AppendRune(sb, rune);
                continue;
            }
            if (char.IsSurrogate(c))
            {
                // A lone surrogate cannot come out of valid UTF-8; Go prints the replacement rune's escape.
                sb.Append("\\ufffd");
                continue;
            }
            AppendRune(sb, new Rune(c));
        }
        return sb.Append('"').ToString();
    }

    private static void AppendRune(StringBuilder sb, Rune rune)
    {
        if (IsPrint(rune))
        {
            sb.Append(rune.ToString());
        }
        else if (rune.Value < 0x80)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (rune.Value < 0x10000)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }
}
