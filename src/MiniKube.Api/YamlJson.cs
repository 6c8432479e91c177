using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MiniKube.Api;

/// <summary>
/// Converts the first YAML document of a text to JSON nodes (an apply patch's body, one document
/// of a manifest file), reading parser events with
/// an explicit stack so depth is bounded without recursion. Aliases are refused: expanding them
/// is how a few hundred bytes of YAML become gigabytes ("billion laughs"). Plain scalars resolve
/// by the YAML 1.2 core schema (null, true/false, integers, floats, else strings); upstream's
/// go-yaml also reads YAML 1.1 words such as <c>yes</c> and <c>on</c> as booleans, which only
/// turns a string field into a decoding error there.
/// </summary>
public static partial class YamlJson
{
    /// <summary>The first document of <paramref name="text"/> as JSON (null for an empty document or text).</summary>
    /// <exception cref="InvalidYamlException">YAML that does not parse, aliases, non-scalar keys or nesting deeper than <paramref name="maxDepth"/>.</exception>
    public static JsonNode? ReadFirstDocument(string text, int maxDepth)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            return ReadFirstDocument(parser, maxDepth);
        }
        catch (YamlException ex)
        {
            throw new InvalidYamlException(ex.Message, ex) { Line = ex.Start.Line };
        }
    }

    private static JsonNode? ReadFirstDocument(Parser parser, int maxDepth)
    {
        var open = new Stack<Container>();
        while (parser.MoveNext())
        {
            JsonNode? value;
            switch (parser.Current)
            {
                case MappingStart:
                case SequenceStart:
                    if (open.Count >= maxDepth)
                    {
                        throw new InvalidYamlException($"nesting exceeds {maxDepth} levels");
                    }
                    open.Push(new Container(parser.Current is MappingStart ? new JsonObject() : new JsonArray()));
                    continue;
                case MappingEnd:
                case SequenceEnd:
                    value = open.Pop().Node;
                    break;
                case Scalar scalar:
                    if (open.TryPeek(out var parent) && parent.ExpectsKey)
                    {
                        parent.PendingKey = scalar.Value;
                        continue;
                    }
                    value = Resolve(scalar);
                    break;
                case AnchorAlias:
                    throw new InvalidYamlException("YAML aliases are not supported");
                case DocumentEnd:
                    // Only the first document counts, as for go-yaml's Unmarshal.
                    return null;
                default:
                    continue;
            }
            if (open.Count == 0)
            {
                return value;
            }
            open.Peek().Add(value);
        }
        return null;
    }

    private static JsonValue? Resolve(Scalar scalar)
    {
        var text = scalar.Value;
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || scalar.Style != ScalarStyle.Plain && tag.Length == 0)
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
            default:
                break;
        }
        if (IntegerPattern().IsMatch(text)
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }
        // Integers beyond 64 bits become floats, as they would in Go.
        if (FloatPattern().IsMatch(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }
        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    /// <summary>A mapping or sequence being filled; a mapping alternates between key and value.</summary>
    private sealed class Container(JsonNode node)
    {
        public JsonNode Node { get; } = node;

        public string? PendingKey { get; set; }

        public bool ExpectsKey => Node is JsonObject && PendingKey is null;

        public void Add(JsonNode? value)
        {
            if (Node is JsonArray array)
            {
                array.Add(value);
                return;
            }
            if (PendingKey is null)
            {
                throw new InvalidYamlException("only scalar mapping keys are supported");
            }
            // A repeated key: the last one wins.
            ((JsonObject)Node)[PendingKey] = value;
            PendingKey = null;
        }
    }
}

/// <summary>YAML that <see cref="YamlJson"/> cannot turn into JSON; the message says why (with the position for a syntax error).</summary>
public sealed class InvalidYamlException : FormatException
{
    /// <summary>The line (from 1) of a syntax error in the text read; null for the other refusals.</summary>
    public long? Line { get; init; }

    public InvalidYamlException(string message)
        : base(message)
    {
    }

    public InvalidYamlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
