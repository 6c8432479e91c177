using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// A CRD's <c>Webhook</c> conversion (apiextensions-apiserver pkg/apiserver/conversion/webhook_converter.go):
/// the objects not yet in the desired apiVersion are sent in one ConversionReview (the first of
/// spec.conversion.webhook.conversionReviewVersions this server speaks: v1, else v1beta1) to the
/// webhook's clientConfig through the shared <see cref="WebhookClient"/>; the answer must carry the
/// request's uid (v1), a Success result, one converted object per object sent, each of the desired
/// apiVersion and the same kind, name, namespace and uid. Of the answered metadata only labels
/// and annotations are kept, and must be valid when changed; the rest is the original's (upstream's restoreObjectMeta). Every
/// failure is a 500 InternalError worded as upstream's ("conversion webhook for &lt;gvk&gt; failed: …").
/// Immutable and thread-safe.
/// </summary>
public sealed class CustomResourceWebhookConverter
{
    /// <summary>How long one review may take; upstream's webhook client allows 30 s by default.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string V1 = "apiextensions.k8s.io/v1";
    private const string V1Beta1 = "apiextensions.k8s.io/v1beta1";

    private readonly WebhookClient _client;
    private readonly WebhookTarget? _target;
    private readonly string? _reviewVersion;

    /// <param name="client">The API server's webhook client.</param>
    /// <param name="webhook">The CRD's spec.conversion.webhook (clientConfig, conversionReviewVersions), already validated.</param>
    public CustomResourceWebhookConverter(WebhookClient client, JsonObject? webhook)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        try
        {
            _target = WebhookTarget.FromClientConfig(webhook.Obj("clientConfig"));
        }
        catch (FormatException)
        {
            _target = null;
        }
        var declared = (webhook.Arr("conversionReviewVersions") ?? []).Select(v => ObjectMeta.Str(v)).ToList();
        _reviewVersion = declared.FirstOrDefault(v => v is "v1" or "v1beta1") switch
        {
            "v1" => V1,
            "v1beta1" => V1Beta1,
            _ => null,
        };
    }

    /// <summary>
    /// <paramref name="objects"/> in <paramref name="apiVersion"/>, in the same order; objects
    /// already in it are not sent, and nothing is called when none needs converting.
    /// <paramref name="what"/> names the input in errors as Go prints a GroupVersionKind
    /// (e.g. <c>example.com/v1, Kind=Widget</c>).
    /// </summary>
    /// <exception cref="ApiException">500 InternalError when the webhook cannot be called or answers wrongly.</exception>
    public async Task<IReadOnlyList<JsonObject>> ConvertAsync(IReadOnlyList<JsonObject> objects, string apiVersion, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var pending = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            if (ObjectMeta.Str(objects[i]["apiVersion"]) != apiVersion)
            {
                pending.Add(i);
            }
        }
        if (pending.Count == 0)
        {
            return objects;
        }
        if (_reviewVersion is null || _target is null)
        {
            throw ApiException.Internal("no supported conversion review versions");
        }
        var uid = Guid.NewGuid().ToString();
        var sent = new JsonArray(pending.Select(i => (JsonNode)objects[i].DeepClone()).ToArray());
        var review = new JsonObject
        {
            ["kind"] = "ConversionReview",
            ["apiVersion"] = _reviewVersion,
            ["request"] = new JsonObject { ["uid"] = uid, ["desiredAPIVersion"] = apiVersion, ["objects"] = sent },
        };
        JsonObject answer;
        try
        {
            answer = await _client.PostAsync(_target, review, Timeout, cancellationToken);
        }
        catch (WebhookCallException e)
        {
            throw Failed(what, e.Message);
        }
        var converted = ConvertedObjects(answer, uid, what);
        if (converted.Count != pending.Count)
        {
            throw ApiException.Internal($"conversion webhook for {what} returned {converted.Count.ToString(CultureInfo.InvariantCulture)} objects, expected {pending.Count.ToString(CultureInfo.InvariantCulture)}");
        }
        var result = objects.ToArray();
        for (var n = 0; n < pending.Count; n++)
        {
            var original = objects[pending[n]];
            if (converted[n] is not JsonObject output)
            {
                throw Invalid(what, n, "cannot unmarshal the converted object into an object");
            }
            var outVersion = ObjectMeta.Str(output["apiVersion"]) ?? "";
            if (outVersion != apiVersion)
            {
                throw Invalid(what, n, $"invalid groupVersion (expected {apiVersion}, received {outVersion})");
            }
            var kind = ObjectMeta.Str(original["kind"]) ?? "";
            if ((ObjectMeta.Str(output["kind"]) ?? "") != kind)
            {
                throw Invalid(what, n, $"invalid kind (expected {kind}, received {ObjectMeta.Str(output["kind"]) ?? ""})");
            }
            if (SameIdentity(original, output) is { } mismatch)
            {
                throw Invalid(what, n, mismatch);
            }
            result[pending[n]] = WithOriginalMetadata(original, output, what, n);
        }
        return result;
    }

    private static ApiException Failed(string what, string detail) => ApiException.Internal($"conversion webhook for {what} failed: {detail}");

    private static ApiException Invalid(string what, int index, string detail) =>
        ApiException.Internal($"conversion webhook for {what} returned invalid converted object at index {index.ToString(CultureInfo.InvariantCulture)}: {detail}");

    // getConvertedObjectsFromResponse: v1 answers are checked for their kind and uid, v1beta1 ones (as upstream, for compatibility) are not.
    private JsonArray ConvertedObjects(JsonObject answer, string uid, string what)
    {
        if (_reviewVersion == V1)
        {
            var gvk = $"{ObjectMeta.Str(answer["apiVersion"]) ?? ""}, Kind={ObjectMeta.Str(answer["kind"]) ?? ""}";
            if (ObjectMeta.Str(answer["apiVersion"]) != V1 || ObjectMeta.Str(answer["kind"]) != "ConversionReview")
            {
                throw Failed(what, $"expected webhook response of {V1}, Kind=ConversionReview, got {gvk}");
            }
        }
        var response = answer.Obj("response") ?? throw Failed(what, "no response provided");
        if (_reviewVersion == V1 && response.StrOrEmpty("uid") != uid)
        {
            throw Failed(what, $"expected response.uid={GoSyntax.Quote(uid)}, got {GoSyntax.Quote(response.StrOrEmpty("uid"))}");
        }
        var result = response.Obj("result");
        var status = result.StrOrEmpty("status");
        if (status != "Success")
        {
            throw Failed(what, result.Str("message") is { Length: > 0 } message ? message : $"response.result.status was '{status}', not 'Success'");
        }
        return response.Arr("convertedObjects") ?? [];
    }

    // validateConvertedObject: everything but labels and annotations identifies the object and must not move.
    private static string? SameIdentity(JsonObject original, JsonObject output)
    {
        foreach (var (field, shown) in new[] { ("name", "name"), ("namespace", "namespace"), ("uid", "UID") })
        {
            var expected = original.Obj("metadata").StrOrEmpty(field);
            var got = output.Obj("metadata").StrOrEmpty(field);
            if (expected != got)
            {
                return $"must have the same {shown}: {expected} != {got}";
            }
        }
        return null;
    }

    // Changed labels and annotations must be valid ones, as upstream checks them (its annotation path is "metadata.annotation").
    private static string? ChangedMetadataErrors(JsonObject answered, string field)
    {
        var errors = new List<FieldError>();
        if (field == "labels")
        {
            MetaValidation.ValidateLabels(answered, field, FieldPath.Of("metadata", "labels"), errors);
        }
        else
        {
            MetaValidation.ValidateAnnotations(answered, field, FieldPath.Of("metadata", "annotation"), errors);
        }
        return errors.Count switch
        {
            0 => null,
            1 => errors[0].Message,
            _ => "[" + string.Join(", ", errors.Select(e => e.Message)) + "]",
        };
    }

    // restoreObjectMeta: the original's metadata, with the labels and annotations the webhook answered.
    private static JsonObject WithOriginalMetadata(JsonObject original, JsonObject output, string what, int index)
    {
        if (output["metadata"] is not JsonObject answered)
        {
            throw ApiException.Internal($"conversion webhook for {what} returned invalid metadata in object at index {index.ToString(CultureInfo.InvariantCulture)}: missing metadata in converted object");
        }
        var metadata = original.Obj("metadata")?.DeepClone().AsObject() ?? [];
        foreach (var field in new[] { "labels", "annotations" })
        {
            switch (answered[field])
            {
                case null:
                    metadata.Remove(field);
                    break;
                case JsonObject map when map.All(kv => kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String):
                    if (!JsonNode.DeepEquals(map, metadata[field]) && ChangedMetadataErrors(answered, field) is { } errors)
                    {
                        throw ApiException.Internal($"conversion webhook for {what} returned invalid metadata in object at index {index.ToString(CultureInfo.InvariantCulture)}: {errors}");
                    }
                    metadata[field] = map.DeepClone();
                    break;
                default:
                    throw ApiException.Internal($"conversion webhook for {what} returned invalid metadata in object at index {index.ToString(CultureInfo.InvariantCulture)}: metadata.{field} must be a map of strings in converted object");
            }
        }
        output["metadata"] = metadata;
        return output;
    }
}
