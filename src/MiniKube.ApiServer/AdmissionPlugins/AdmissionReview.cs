using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The AdmissionReview a webhook receives and what its answer may say, as
/// apiserver admission/plugin/webhook/request/admissionreview.go builds and verifies them
/// (admission.k8s.io v1 and v1beta1 share the shape). Object and oldObject are in the form the
/// webhook matched (see <see cref="WebhookRules"/>); a DELETE carries only oldObject.
/// </summary>
public static class AdmissionReview
{
    /// <summary>Who the server's own writes are, as upstream's loopback client.</summary>
    private static readonly JsonObject ServerUser = new() { ["username"] = "system:apiserver", ["groups"] = new JsonArray("system:masters") };

    /// <summary>The <c>request</c> of an AdmissionReview (also the <c>request</c> variable of matchConditions).</summary>
    public static JsonObject Request(AdmissionRequest request, ResourceType form, JsonObject? obj, JsonObject? oldObj, string uid)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(form);
        var review = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = Kind(form),
            ["resource"] = Resource(form),
        };
        if (request.Subresource is { } subresource)
        {
            review["subResource"] = subresource;
        }
        review["requestKind"] = Kind(request.Type);
        review["requestResource"] = Resource(request.Type);
        if (request.Subresource is { } requestSubresource)
        {
            review["requestSubResource"] = requestSubresource;
        }
        review["name"] = request.Name;
        if (WebhookRules.Namespace(request) is { Length: > 0 } ns)
        {
            review["namespace"] = ns;
        }
        review["operation"] = WebhookRules.Operation(request.Operation);
        review["userInfo"] = request.User is { } user
            ? new JsonObject { ["username"] = user.Name, ["groups"] = new JsonArray([.. user.Groups.Select(g => JsonValue.Create(g))]) }
            : ServerUser.DeepClone();
        review["object"] = obj?.DeepClone();
        review["oldObject"] = oldObj?.DeepClone();
        review["dryRun"] = request.DryRun;
        review["options"] = Options(request);
        return review;
    }

    /// <summary>The whole AdmissionReview sent to a webhook.</summary>
    public static JsonObject Envelope(string version, JsonObject request) => new()
    {
        ["kind"] = "AdmissionReview",
        ["apiVersion"] = "admission.k8s.io/" + version,
        ["request"] = request,
    };

    /// <summary>
    /// Reads a webhook's answer (VerifyAdmissionResponse): the uid must be the request's, a v1
    /// answer must be a v1 AdmissionReview, patches come from mutating webhooks only and as JSONPatch.
    /// </summary>
    /// <exception cref="InvalidReviewException">The answer breaks one of those rules; the message is upstream's.</exception>
    public static ReviewResponse Read(JsonObject answer, string version, string uid, bool mutating)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer["response"] is not JsonObject response)
        {
            throw new InvalidReviewException("webhook response was absent");
        }
        var answeredUid = response.StrOrEmpty("uid");
        if (answeredUid != uid)
        {
            throw new InvalidReviewException($"expected response.uid=\"{uid}\", got \"{answeredUid}\"");
        }
        if (version == "v1")
        {
            var apiVersion = answer.StrOrEmpty("apiVersion");
            var kind = answer.StrOrEmpty("kind");
            if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
            {
                throw new InvalidReviewException($"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {GroupVersionKind(apiVersion, kind)}");
            }
        }
        var patch = response.Str("patch");
        var patchType = response.Str("patchType");
        if (!string.IsNullOrEmpty(patch) || patchType is not null)
        {
            if (!mutating)
            {
                throw new InvalidReviewException("validating webhooks may not return patches");
            }
            if (string.IsNullOrEmpty(patch))
            {
                throw new InvalidReviewException("webhook returned response.patchType but not response.patch");
            }
            if (patchType is null)
            {
                throw new InvalidReviewException("webhook returned response.patch but not response.patchType");
            }
            if (patchType != "JSONPatch")
            {
                throw new InvalidReviewException($"webhook returned invalid response.patchType of \"{patchType}\"");
            }
        }
        var warnings = MetaStrings(response.Arr("warnings"));
        return new ReviewResponse(response.Bool("allowed") ?? false, response.Obj("status"), string.IsNullOrEmpty(patch) ? null : patch, warnings);
    }

    private static JsonObject Kind(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };

    private static JsonObject Resource(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Name };

    private static JsonObject Options(AdmissionRequest request)
    {
        var options = new JsonObject
        {
            ["kind"] = request.Operation switch
            {
                AdmissionOperation.Create => "CreateOptions",
                AdmissionOperation.Update => "UpdateOptions",
                _ => "DeleteOptions",
            },
            ["apiVersion"] = "meta.k8s.io/v1",
        };
        if (request.DryRun)
        {
            options["dryRun"] = new JsonArray("All");
        }
        return options;
    }

    // schema.GroupVersionKind.String(): "group/version, Kind=kind".
    private static string GroupVersionKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return $"{group}/{version}, Kind={kind}";
    }

    private static List<string> MetaStrings(JsonArray? list) =>
        list is null ? [] : list.OfType<JsonValue>().Select(v => v.ToString()).ToList();
}

/// <summary>A webhook's verdict: allowed or not, its Status, its JSONPatch (base64), its warnings.</summary>
public sealed record ReviewResponse(bool Allowed, JsonObject? Status, string? Patch, IReadOnlyList<string> Warnings);

/// <summary>An answer that is not a valid AdmissionReview response for the request sent.</summary>
public sealed class InvalidReviewException(string message) : Exception(message);
