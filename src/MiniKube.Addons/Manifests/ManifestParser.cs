using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MiniKube.Addons.Manifests;

/// <summary>One object of a manifest file, as written (the body that is applied), with its document's number (from 1).</summary>
public sealed record ManifestObject(int Document, JsonObject Body, string ApiVersion, string Kind, string? Namespace, string Name);

/// <summary>A document of a manifest file that cannot be applied, and why (the text says where, never what the document holds).</summary>
public sealed record ManifestError(int Document, string Reason);

/// <summary>What a manifest file holds: the objects that can be applied and the documents that cannot.</summary>
public sealed record ParsedManifest(IReadOnlyList<ManifestObject> Objects, IReadOnlyList<ManifestError> Errors);

/// <summary>
/// Reads a manifest file as kubectl apply and k3s' deploy controller read one (apimachinery's
/// yaml.YAMLReader, k3s' yamlToObjects): YAML files may hold several documents between
/// <c>---</c> lines, a JSON file holds one; documents of only comments are skipped; a
/// <c>kind: List</c> (or any <c>…List</c> with <c>items</c>) stands for its items. Unlike k3s,
/// which refuses the whole file when one document is bad, each document stands alone: a document
/// that does not parse, or lacks apiVersion, kind or metadata.name, is reported and the others
/// still apply. Numbers count the non-empty documents from 1, as a reader of the file counts them.
/// </summary>
public static partial class ManifestParser
{
    // As deep as the API server accepts an apply patch.
    private const int MaxDepth = 256;

    public static ParsedManifest Parse(string path, string content)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        var objects = new List<ManifestObject>();
        var errors = new List<ManifestError>();
        var number = 0;
        foreach (var document in Documents(path, content))
        {
            JsonNode? node;
            try
            {
                node = document.Json ? JsonNode.Parse(document.Text) : YamlJson.ReadFirstDocument(document.Text, MaxDepth);
            }
            catch (InvalidYamlException e)
            {
                // Lines counted in the file, not in the document, so the operator finds the spot.
                var where = e.Line is { } line ? $" at line {document.FirstLine + line - 1}" : "";
                errors.Add(new ManifestError(++number, $"not valid YAML{where}: {e.Message}"));
                continue;
            }
            catch (JsonException e)
            {
                errors.Add(new ManifestError(++number, "not valid JSON: " + e.Message));
                continue;
            }
            if (node is null)
            {
                continue; // comments only
            }
            number++;
            foreach (var item in Items(node))
            {
                if (Describe(number, item) is { } described)
                {
                    objects.Add(described);
                }
                else
                {
                    errors.Add(new ManifestError(number, Missing(item)));
                }
            }
        }
        return new ParsedManifest(objects, errors);
    }

    // The documents with the file's line (from 1) each starts on.
    private static IEnumerable<(string Text, bool Json, long FirstLine)> Documents(string path, string content)
    {
        if (ManifestFiles.IsJson(path))
        {
            yield return (content, true, 1);
            yield break;
        }
        var start = 0;
        foreach (var (index, length) in DocumentSeparator().Matches(content).Select(m => (m.Index, m.Length)).Append((content.Length, 0)))
        {
            var text = content[start..index];
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (text, false, content.AsSpan(0, start).Count('\n') + 1);
            }
            start = index + length;
        }
    }

    // A list stands for its items; anything else for itself (refused later if it is no object).
    private static JsonArray Items(JsonNode node) =>
        node is JsonObject list && Text(list, "kind") is { } kind && kind.EndsWith("List", StringComparison.Ordinal) && list["items"] is JsonArray items
            ? items
            : [node.DeepClone()];

    private static ManifestObject? Describe(int number, JsonNode? node)
    {
        if (node is not JsonObject body
            || Text(body, "apiVersion") is not { } apiVersion
            || Text(body, "kind") is not { } kind
            || body["metadata"] is not JsonObject metadata
            || Text(metadata, "name") is not { } name)
        {
            return null;
        }
        return new ManifestObject(number, body.DeepClone().AsObject(), apiVersion, kind, Text(metadata, "namespace"), name);
    }

    private static string Missing(JsonNode? node) => node switch
    {
        not JsonObject => "a document must be an object (a mapping)",
        JsonObject body when Text(body, "apiVersion") is null => "apiVersion is required",
        JsonObject body when Text(body, "kind") is null => "kind is required",
        JsonObject body when body["metadata"] is JsonObject metadata && metadata["generateName"] is not null =>
            "metadata.name is required (generateName cannot be applied)",
        _ => "metadata.name is required",
    };

    private static string? Text(JsonObject node, string property) =>
        node[property] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    // A line of three dashes, alone or followed by blanks or a comment (apimachinery's YAMLReader).
    [GeneratedRegex(@"^---[ \t]*(?:#.*)?\r?$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
