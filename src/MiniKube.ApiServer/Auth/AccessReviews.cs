using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// The access reviews of authorization.k8s.io/v1 (pkg/registry/authorization/*subjectaccessreview):
/// a SelfSubjectAccessReview (the requester), SubjectAccessReview or LocalSubjectAccessReview
/// (spec.user, groups, uid and extra) is validated as pkg/apis/authorization/validation, its
/// spec becomes the <see cref="RequestAttributes"/> the server's authorizer decides
/// (util.AuthorizationAttributesFrom; an empty version matches all, "*"), and the review comes
/// back with its status filled. Nothing is stored.
/// </summary>
public static class AccessReviews
{
    public const string Group = "authorization.k8s.io";

    /// <summary>Can the requester do what spec asks (<c>kubectl auth can-i</c>)?</summary>
    public static JsonObject SelfSubjectAccessReview(JsonObject review, UserInfo requester, IAuthorizer authorizer)
    {
        ArgumentNullException.ThrowIfNull(review);
        var spec = Spec(review);
        var errors = ValidateSpec(spec, subject: false);
        errors.AddRange(MetadataMustBeEmpty(review, "must be empty", "namespace"));
        ThrowIfInvalid("SelfSubjectAccessReview", errors);
        return Answer(review, Decide(spec, requester, authorizer));
    }

    /// <summary>Can spec's user and groups do what spec asks? (webhook authorizers and delegating API servers ask this)</summary>
    public static JsonObject SubjectAccessReview(JsonObject review, IAuthorizer authorizer)
    {
        ArgumentNullException.ThrowIfNull(review);
        var spec = Spec(review);
        var errors = ValidateSpec(spec, subject: true);
        errors.AddRange(MetadataMustBeEmpty(review, "must be empty", "namespace"));
        ThrowIfInvalid("SubjectAccessReview", errors);
        return Answer(review, Decide(spec, SubjectOf(spec), authorizer));
    }

    /// <summary>A SubjectAccessReview confined to the namespace of its URL (<paramref name="namespace"/>), which its metadata takes.</summary>
    public static JsonObject LocalSubjectAccessReview(JsonObject review, string @namespace, IAuthorizer authorizer)
    {
        ArgumentNullException.ThrowIfNull(review);
        var spec = Spec(review);
        var errors = ValidateSpec(spec, subject: true);
        errors.AddRange(MetadataMustBeEmpty(review, "must be empty except for namespace", "namespace"));
        if (spec["resourceAttributes"] is JsonObject resource && (ObjectMeta.Str(resource["namespace"]) ?? "") != @namespace)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("spec", "resourceAttributes", "namespace"), BadValue.Of(ObjectMeta.Str(resource["namespace"]) ?? ""), "must match metadata.namespace"));
        }
        if (spec["nonResourceAttributes"] is JsonObject nonResource)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("spec", "nonResourceAttributes"), GoValue("NonResourceAttributes", nonResource), "disallowed on this kind of request"));
        }
        ThrowIfInvalid("LocalSubjectAccessReview", errors);
        return Answer(review, Decide(spec, SubjectOf(spec), authorizer));
    }

    /// <summary>The user a SubjectAccessReview's spec names.</summary>
    public static UserInfo SubjectOf(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (spec["extra"] is JsonObject given)
        {
            foreach (var (key, values) in given)
            {
                extra[key] = Strings(values);
            }
        }
        return new UserInfo(ObjectMeta.Str(spec["user"]) ?? "", Strings(spec["groups"])) { Uid = ObjectMeta.Str(spec["uid"]) ?? "", Extra = extra };
    }

    /// <summary>What the spec asks, as the authorizers see a request (util.ResourceAttributesFrom / NonResourceAttributesFrom).</summary>
    public static RequestAttributes AttributesOf(JsonObject spec, UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec["resourceAttributes"] is JsonObject resource)
        {
            var version = ObjectMeta.Str(resource["version"]) ?? "";
            return new RequestAttributes(user, ObjectMeta.Str(resource["verb"]) ?? "")
            {
                IsResourceRequest = true,
                Namespace = ObjectMeta.Str(resource["namespace"]) ?? "",
                ApiGroup = ObjectMeta.Str(resource["group"]) ?? "",
                ApiVersion = version.Length == 0 ? "*" : version,
                Resource = ObjectMeta.Str(resource["resource"]) ?? "",
                Subresource = ObjectMeta.Str(resource["subresource"]) ?? "",
                Name = ObjectMeta.Str(resource["name"]) ?? "",
            };
        }
        var nonResource = spec["nonResourceAttributes"] as JsonObject ?? [];
        return new RequestAttributes(user, ObjectMeta.Str(nonResource["verb"]) ?? "") { Path = ObjectMeta.Str(nonResource["path"]) ?? "" };
    }

    private static JsonObject Decide(JsonObject spec, UserInfo user, IAuthorizer authorizer)
    {
        var result = authorizer.Authorize(AttributesOf(spec, user));
        // SubjectAccessReviewStatus: allowed is always written, the rest only when set (omitempty).
        var status = new JsonObject { ["allowed"] = result.IsAllowed };
        if (result.Decision == AuthorizationDecision.Deny)
        {
            status["denied"] = true;
        }
        if (result.Reason.Length > 0)
        {
            status["reason"] = result.Reason;
        }
        if (SelectorErrors(spec["resourceAttributes"] as JsonObject) is { Length: > 0 } evaluationError)
        {
            status["evaluationError"] = evaluationError;
        }
        return status;
    }

    // The review as upstream returns it: what was sent, with the server's status.
    private static JsonObject Answer(JsonObject review, JsonObject status) => new()
    {
        ["kind"] = review["kind"]?.DeepClone(),
        ["apiVersion"] = review["apiVersion"]?.DeepClone(),
        ["metadata"] = review["metadata"] is JsonObject metadata ? metadata.DeepClone() : new JsonObject { ["creationTimestamp"] = null },
        ["spec"] = review["spec"]?.DeepClone() ?? new JsonObject(),
        ["status"] = status,
    };

    private static JsonObject Spec(JsonObject review) => review["spec"] as JsonObject ?? [];

    // ValidateSelfSubjectAccessReviewSpec, or with a subject ValidateSubjectAccessReviewSpec (someone
    // to ask about), then the selector checks of 1.31's validateResourceAttributes.
    private static List<FieldError> ValidateSpec(JsonObject spec, bool subject)
    {
        var errors = new List<FieldError>();
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if (resource is not null && nonResource is not null)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("spec", "nonResourceAttributes"), GoValue("NonResourceAttributes", nonResource), "cannot be specified in combination with resourceAttributes"));
        }
        if (resource is null && nonResource is null)
        {
            // Go prints the nil attributes it was given as the string "null".
            errors.Add(FieldError.Invalid(FieldPath.Of("spec", "resourceAttributes"), BadValue.Of("null"), "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }
        var user = ObjectMeta.Str(spec["user"]) ?? "";
        if (subject && user.Length == 0 && Strings(spec["groups"]).Count == 0)
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("spec", "user"), BadValue.Of(user), "at least one of user or group must be specified"));
        }
        foreach (var selector in new[] { "fieldSelector", "labelSelector" })
        {
            if (resource?[selector] is not JsonObject given)
            {
                continue;
            }
            var path = FieldPath.Of("spec", "resourceAttributes", selector);
            var raw = ObjectMeta.Str(given["rawSelector"]) ?? "";
            var hasRequirements = given["requirements"] is JsonArray { Count: > 0 };
            if (raw.Length > 0 && hasRequirements)
            {
                errors.Add(FieldError.Invalid(path.Child("rawSelector"), BadValue.Of(raw), "may not specified at the same time as requirements"));
            }
            if (raw.Length == 0 && !hasRequirements)
            {
                errors.Add(FieldError.Required(path.Child("requirements"), $"when {path} is specified, requirements or rawSelector is required"));
            }
        }
        return errors;
    }

    // A review's metadata carries nothing (managedFields aside, which the field manager may have set).
    private static IEnumerable<FieldError> MetadataMustBeEmpty(JsonObject review, string detail, string allowed)
    {
        if (review["metadata"] is not JsonObject metadata || metadata.All(p => p.Key is "managedFields" || p.Key == allowed || IsZero(p.Value)))
        {
            return [];
        }
        return [FieldError.Invalid(FieldPath.Of("metadata"), BadValue.Go(metadata.ToJsonString()), detail)];
    }

    private static bool IsZero(JsonNode? node) => node switch
    {
        null => true,
        JsonObject obj => obj.Count == 0,
        JsonArray array => array.Count == 0,
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length == 0,
        JsonValue value when value.TryGetValue<bool>(out var flag) => !flag,
        JsonValue value when value.TryGetValue<double>(out var number) => number == 0,
        _ => false,
    };

    private static void ThrowIfInvalid(string kind, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(Group, kind, "", [.. errors]);
        }
    }

    // BuildEvaluationError's selector part: a label selector the authorizers could not read is
    // ignored, wholly or in part, and the review says so. (Field selectors are not parsed here.)
    private static string SelectorErrors(JsonObject? resource)
    {
        if (resource?["labelSelector"] is not JsonObject selector)
        {
            return "";
        }
        var valid = 0;
        var invalid = 0;
        if (selector["requirements"] is JsonArray { Count: > 0 } requirements)
        {
            foreach (var requirement in requirements.OfType<JsonObject>())
            {
                try
                {
                    LabelSelector.FromExpression(ObjectMeta.Str(requirement["key"]) ?? "", ObjectMeta.Str(requirement["operator"]) ?? "", Strings(requirement["values"]));
                    valid++;
                }
                catch (InvalidSelectorException)
                {
                    invalid++;
                }
            }
        }
        else if (ObjectMeta.Str(selector["rawSelector"]) is { Length: > 0 } raw)
        {
            try
            {
                LabelSelector.Parse(raw);
            }
            catch (InvalidSelectorException)
            {
                invalid++;
            }
        }
        return invalid == 0 ? ""
            : valid > 0 ? "spec.resourceAttributes.labelSelector partially ignored due to parse error"
            : "spec.resourceAttributes.labelSelector ignored due to parse error";
    }

    // Go's %#v of the attributes struct, as field errors print a struct value.
    private static BadValue GoValue(string type, JsonObject attributes) =>
        BadValue.Go($"authorization.{type}{{Path:{GoSyntax.Quote(ObjectMeta.Str(attributes["path"]) ?? "")}, Verb:{GoSyntax.Quote(ObjectMeta.Str(attributes["verb"]) ?? "")}}}");

    /// <summary>A JSON array of strings as a list (absent or null: empty).</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(item => ObjectMeta.Str(item) ?? "")] : [];
}
