using System.Text;
using System.Text.RegularExpressions;

namespace MiniKube.Api;

/// <summary>
/// The string formats of the API (DNS labels and subdomains, qualified names, label values,
/// config keys, env names, ports), each returning upstream's messages for what is wrong —
/// empty when the value is fine. Mirrors apimachinery pkg/util/validation/validation.go.
/// Lengths are in UTF-8 bytes, as Go's len() counts them; patterns end in \z because .NET's $
/// would accept a trailing newline that Go's does not.
/// </summary>
public static partial class Formats
{
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";
    private const string LabelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    private const string Dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1035LabelMessage = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private const string ConfigMapKeyFormat = "[-._a-zA-Z0-9]+";
    private const string ConfigMapKeyMessage = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
    private const string EnvVarNameFormat = "[-._a-zA-Z][-._a-zA-Z0-9]*";
    private const string EnvVarNameMessage = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
    private const string PercentFormat = "[0-9]+%";
    private const string HttpHeaderNameFormat = "[-A-Za-z0-9]+";

    public const int Dns1123LabelMaxLength = 63;
    public const int Dns1123SubdomainMaxLength = 253;
    public const int LabelValueMaxLength = 63;

    [GeneratedRegex("^" + QualifiedNameFormat + "\\z")]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex("^" + LabelValueFormat + "\\z")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^" + Dns1123LabelFormat + "\\z")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^" + Dns1123SubdomainFormat + "\\z")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^" + Dns1035LabelFormat + "\\z")]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^" + ConfigMapKeyFormat + "\\z")]
    private static partial Regex ConfigMapKeyRegex();

    [GeneratedRegex("^" + EnvVarNameFormat + "\\z")]
    private static partial Regex EnvVarNameRegex();

    [GeneratedRegex("^" + PercentFormat + "\\z")]
    private static partial Regex PercentRegex();

    [GeneratedRegex("^" + HttpHeaderNameFormat + "\\z")]
    private static partial Regex HttpHeaderNameRegex();

    [GeneratedRegex("^[-a-z0-9]+\\z")]
    private static partial Regex PortNameCharsRegex();

    [GeneratedRegex("[a-z]")]
    private static partial Regex PortNameLetterRegex();

    public static IReadOnlyList<string> IsDns1123Label(string value)
    {
        var errors = new List<string>();
        if (ByteLength(value) > Dns1123LabelMaxLength)
        {
            errors.Add(MaxLengthError(Dns1123LabelMaxLength));
        }
        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errors.Add(Dns1123SubdomainRegex().IsMatch(value)
                ? "must not contain dots"
                : RegexError(Dns1123LabelMessage, Dns1123LabelFormat, "my-name", "123-abc"));
        }
        return errors;
    }

    public static IReadOnlyList<string> IsDns1123Subdomain(string value) =>
        LengthAndFormat(value, Dns1123SubdomainMaxLength, Dns1123SubdomainRegex(), Dns1123SubdomainMessage, Dns1123SubdomainFormat, "example.com");

    public static IReadOnlyList<string> IsDns1035Label(string value) =>
        LengthAndFormat(value, Dns1123LabelMaxLength, Dns1035LabelRegex(), Dns1035LabelMessage, Dns1035LabelFormat, "my-name", "abc-123");

    /// <summary>A label key or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static IReadOnlyList<string> IsQualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
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
                    errors.Add("prefix part " + EmptyError);
                }
                else
                {
                    errors.AddRange(IsDns1123Subdomain(prefix).Select(m => "prefix part " + m));
                }
                break;
            default:
                errors.Add("a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc") +
                    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }
        if (name.Length == 0)
        {
            errors.Add("name part " + EmptyError);
        }
        else if (ByteLength(name) > 63)
        {
            errors.Add("name part " + MaxLengthError(63));
        }
        if (!QualifiedNameRegex().IsMatch(name))
        {
            errors.Add("name part " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        }
        return errors;
    }

    public static IReadOnlyList<string> IsValidLabelValue(string value) =>
        LengthAndFormat(value, LabelValueMaxLength, LabelValueRegex(), LabelValueMessage, LabelValueFormat, "MyValue", "my_value", "12345");

    public static IReadOnlyList<string> IsConfigMapKey(string value)
    {
        var errors = LengthAndFormat(value, Dns1123SubdomainMaxLength, ConfigMapKeyRegex(), ConfigMapKeyMessage, ConfigMapKeyFormat, "key.name", "KEY_NAME", "key-name");
        errors.AddRange(ChangeDirectoryPrefixErrors(value));
        return errors;
    }

    public static IReadOnlyList<string> IsEnvVarName(string value)
    {
        var errors = new List<string>();
        if (!EnvVarNameRegex().IsMatch(value))
        {
            errors.Add(RegexError(EnvVarNameMessage, EnvVarNameFormat, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
        }
        errors.AddRange(ChangeDirectoryPrefixErrors(value));
        return errors;
    }

    public static IReadOnlyList<string> IsValidPortNum(long port) =>
        port is >= 1 and <= 65535 ? [] : [InclusiveRangeError(1, 65535)];

    public static IReadOnlyList<string> IsValidPortName(string port)
    {
        var errors = new List<string>();
        if (ByteLength(port) > 15)
        {
            errors.Add(MaxLengthError(15));
        }
        if (!PortNameCharsRegex().IsMatch(port))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!PortNameLetterRegex().IsMatch(port))
        {
            errors.Add("must contain at least one letter (a-z)");
        }
        if (port.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }
        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }
        return errors;
    }

    public static IReadOnlyList<string> IsValidPercent(string value) =>
        PercentRegex().IsMatch(value) ? [] : [RegexError("a valid percent string must be a numeric string followed by an ending '%'", PercentFormat, "1%", "93%")];

    public static IReadOnlyList<string> IsHttpHeaderName(string value) =>
        HttpHeaderNameRegex().IsMatch(value) ? [] : [RegexError("a valid HTTP header must consist of alphanumeric characters or '-'", HttpHeaderNameFormat, "X-Header-Name")];

    public static string InclusiveRangeError(long low, long high) => $"must be between {low} and {high}, inclusive";

    public static string MaxLengthError(int length) => $"must be no more than {length} characters";

    public const string EmptyError = "must be non-empty";

    /// <summary>Upstream's RegexError: the message, examples, and the pattern it checked.</summary>
    public static string RegexError(string message, string format, params string[] examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Length == 0)
        {
            return $"{message} (regex used for validation is '{format}')";
        }
        var sb = new StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }
            sb.Append('\'').Append(examples[i]).Append("', ");
        }
        return sb.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }

    /// <summary>The length Go's len() gives: UTF-8 bytes.</summary>
    public static int ByteLength(string value) => Encoding.UTF8.GetByteCount(value);

    /// <summary>The shape most checks share: at most <paramref name="maxLength"/> bytes, and all of it in the format.</summary>
    private static List<string> LengthAndFormat(string value, int maxLength, Regex regex, string message, string format, params string[] examples)
    {
        var errors = new List<string>();
        if (ByteLength(value) > maxLength)
        {
            errors.Add(MaxLengthError(maxLength));
        }
        if (!regex.IsMatch(value))
        {
            errors.Add(RegexError(message, format, examples));
        }
        return errors;
    }

    private static IEnumerable<string> ChangeDirectoryPrefixErrors(string value)
    {
        if (value == ".")
        {
            yield return "must not be '.'";
        }
        else if (value == "..")
        {
            yield return "must not be '..'";
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            yield return "must not start with '..'";
        }
    }
}
