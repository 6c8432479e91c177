using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// APIService defaults and checks as kube-aggregator v1.32 makes them
/// (pkg/apis/apiregistration/v1/defaults.go and pkg/apis/apiregistration/validation/validation.go):
/// the name must be <c>&lt;version&gt;.&lt;group&gt;</c>, only v1 may have an empty group, the
/// group is a DNS subdomain and the version a DNS-1035 label, groupPriorityMinimum is in
/// 1..20000 and versionPriority in 1..1000; a local APIService (no service) has neither caBundle
/// nor insecureSkipTLSVerify, a service-backed one names its Service and not both. Status
/// conditions may only be True, False or Unknown.
/// </summary>
internal static class ApiRegistrationValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly string[] ConditionStatuses = ["True", "False", "Unknown"];

    /// <summary>SetDefaults_ServiceReference: a service reference without a port means 443.</summary>
    public static void Defaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Obj("spec").Obj("service") is { } service && service["port"] is null)
        {
            service["port"] = 443;
        }
    }

    /// <summary>The name rule of one APIService: a path segment that is exactly spec.version + "." + spec.group.</summary>
    public static NameRule NameRule(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Obj("spec");
        var required = spec.StrOrEmpty("version") + "." + spec.StrOrEmpty("group");
        return (name, _) =>
        {
            var failures = NameRules.PathSegment(name, false);
            if (failures.Count > 0)
            {
                return failures;
            }
            return name == required ? [] : [$"must be `spec.version+\".\"+spec.group`: {GoSyntax.Quote(required)}"];
        };
    }

    /// <summary>ValidateAPIService without the ObjectMeta part.</summary>
    public static void ApiService(JsonObject obj, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(errors);
        var spec = obj.Obj("spec");
        var group = spec.StrOrEmpty("group");
        var version = spec.StrOrEmpty("version");
        // An empty group is allowed for the legacy core API only.
        if (group.Length == 0 && version != "v1")
        {
            errors.Add(FieldError.Required(Spec.Child("group"), "only v1 may have an empty group and it better be legacy kube"));
        }
        if (group.Length > 0)
        {
            errors.AddRange(Formats.IsDns1123Subdomain(group).Select(m => FieldError.Invalid(Spec.Child("group"), BadValue.Of(group), m)));
        }
        errors.AddRange(Formats.IsDns1035Label(version).Select(m => FieldError.Invalid(Spec.Child("version"), BadValue.Of(version), m)));
        var groupPriority = spec.Int("groupPriorityMinimum") ?? 0;
        if (groupPriority is <= 0 or > 20000)
        {
            errors.Add(FieldError.Invalid(Spec.Child("groupPriorityMinimum"), BadValue.Of(groupPriority), "must be positive and less than 20000"));
        }
        var versionPriority = spec.Int("versionPriority") ?? 0;
        if (versionPriority is <= 0 or > 1000)
        {
            errors.Add(FieldError.Invalid(Spec.Child("versionPriority"), BadValue.Of(versionPriority), "must be positive and less than 1000"));
        }
        var caBundleBytes = CaBundleLength(spec.StrOrEmpty("caBundle"), errors);
        var insecure = spec.Bool("insecureSkipTLSVerify") ?? false;
        if (spec.Obj("service") is not { } service)
        {
            if (caBundleBytes != 0)
            {
                errors.Add(FieldError.Invalid(Spec.Child("caBundle"), BadValue.Of($"{caBundleBytes.ToString(CultureInfo.InvariantCulture)} bytes"), "local APIServices may not have a caBundle"));
            }
            if (insecure)
            {
                errors.Add(FieldError.Invalid(Spec.Child("insecureSkipTLSVerify"), BadValue.Of(true), "local APIServices may not have insecureSkipTLSVerify"));
            }
            return;
        }
        if (service.StrOrEmpty("namespace").Length == 0)
        {
            errors.Add(FieldError.Required(Spec.Child("service").Child("namespace")));
        }
        if (service.StrOrEmpty("name").Length == 0)
        {
            errors.Add(FieldError.Required(Spec.Child("service").Child("name")));
        }
        if (insecure && caBundleBytes > 0)
        {
            errors.Add(FieldError.Invalid(Spec.Child("insecureSkipTLSVerify"), BadValue.Of(true), "may not be true if caBundle is present"));
        }
    }

    /// <summary>ValidateAPIServiceStatus: each condition's status is True, False or Unknown.</summary>
    public static void Status(JsonObject obj, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(errors);
        var path = FieldPath.Of("status", "conditions");
        foreach (var (index, condition) in obj.Obj("status").Items("conditions"))
        {
            var status = condition.StrOrEmpty("status");
            if (!ConditionStatuses.Contains(status))
            {
                errors.Add(FieldError.NotSupported(path.Index(index).Child("status"), BadValue.Of(status), ConditionStatuses));
            }
        }
    }

    // The decoded length of a base64 caBundle, as the Go field is []byte; undecodable text is refused here.
    private static int CaBundleLength(string encoded, List<FieldError> errors)
    {
        if (encoded.Length == 0)
        {
            return 0;
        }
        var buffer = new byte[encoded.Length];
        if (Convert.TryFromBase64String(encoded, buffer, out var length))
        {
            return length;
        }
        errors.Add(FieldError.Invalid(Spec.Child("caBundle"), BadValue.Of(encoded.Length > 32 ? encoded[..32] + "..." : encoded), "illegal base64 data"));
        return encoded.Length;
    }
}
