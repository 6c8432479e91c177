using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Selectors;

/// <summary>
/// Label key and value syntax, with the error texts of apimachinery v0.32
/// pkg/util/validation/validation.go (IsQualifiedName, IsValidLabelValue) and the
/// field-error formatting of pkg/util/validation/field/errors.go, so selector errors read
/// exactly as kube-apiserver's.
/// </summary>
internal static partial class LabelSyntax
{
    private const string NameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string NameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string ValueFormat = "(" + NameFormat + ")?";
    private const string ValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string SubdomainFormat = @"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const int MaxNameLength = 63;
    private const int MaxSubdomainLength = 253;

    [GeneratedRegex("^" + NameFormat + "$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("^" + SubdomainFormat + "$")]
    private static partial Regex SubdomainRegex();

    /// <summary>Problems with a label key (optional DNS-subdomain prefix, '/', then a name); empty when valid.</summary>
    public static List<string> KeyErrors(string key)
    {
        var errors = new List<string>();
        var parts = key.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    if (prefix.Length > MaxSubdomainLength)
                    {
                        errors.Add("prefix part " + MaxLength(MaxSubdomainLength));
                    }

                    if (!SubdomainRegex().IsMatch(prefix))
                    {
                        errors.Add("prefix part " + RegexMessage(SubdomainMessage, SubdomainFormat, "example.com"));
                    }
                }

                break;
            default:
                errors.Add("a qualified name " + RegexMessage(NameMessage, NameFormat, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add("name part " + MaxLength(MaxNameLength));
        }

        if (!NameRegex().IsMatch(name))
        {
            errors.Add("name part " + RegexMessage(NameMessage, NameFormat, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>Problems with a label value (empty, or at most 63 name characters); empty when valid.</summary>
    public static List<string> ValueErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > MaxNameLength)
        {
            errors.Add(MaxLength(MaxNameLength));
        }

        if (value.Length > 0 && !NameRegex().IsMatch(value))
        {
            errors.Add(RegexMessage(ValueMessage, ValueFormat, "MyValue", "my_value", "12345"));
        }

        return errors;
    }

    /// <summary>A field.Invalid error as Go renders it: <c>path: Invalid value: "bad": detail</c>.</summary>
    public static string Invalid(string path, string badValue, string detail) => $"{path}: Invalid value: {GoQuote(badValue)}: {detail}";

    /// <summary>A field.Invalid error whose bad value is a list, rendered as JSON the way Go marshals it.</summary>
    public static string Invalid(string path, IReadOnlyList<string> badValues, string detail) =>
        $"{path}: Invalid value: [{string.Join(",", badValues.Select(GoQuote))}]: {detail}";

    /// <summary>
    /// The text of an aggregated error list (apimachinery pkg/util/errors): one message alone,
    /// several deduplicated inside brackets.
    /// </summary>
    public static string Aggregate(IReadOnlyList<string> messages)
    {
        var distinct = messages.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    /// <summary>A string quoted as Go's %q does for the characters labels can hold.</summary>
    public static string GoQuote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case < ' ':
                    builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static string MaxLength(int length) => $"must be no more than {length} characters";

    // Mirrors validation.RegexError, including its doubled space before "or".
    private static string RegexMessage(string message, string format, params string[] examples)
    {
        var builder = new StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(" or ");
            }

            builder.Append('\'').Append(examples[i]).Append("', ");
        }

        return builder.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }
}
