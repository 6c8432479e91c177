using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// certificates.k8s.io/v1 CertificateSigningRequests as pkg/apis/certificates/validation of
/// v1.32 checks them: a PEM CSR that parses, a signerName, known usages without duplicates, an
/// expiration of at least ten minutes, and conditions that do not contradict each other.
/// </summary>
internal static class CertificatesValidation
{
    private static readonly FieldPath Spec = FieldPath.Of("spec");
    private static readonly FieldPath Conditions = FieldPath.Of("status", "conditions");

    private static readonly string[] Usages =
    [
        "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment",
        "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel",
        "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime",
        "server auth", "signing", "timestamping",
    ];

    public static void CertificateSigningRequest(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.Obj("spec");
        if (ParseRequest(spec.Str("request")) is { } problem)
        {
            errors.Add(FieldError.Invalid(Spec.Child("request"), BadValue.Go("[]byte{...}"), problem));
        }
        var usages = MetaValidation.Strings(spec.Arr("usages")).ToList();
        if (usages.Count == 0)
        {
            errors.Add(FieldError.Required(Spec.Child("usages"), "usages must be provided"));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < usages.Count; i++)
        {
            if (!Usages.Contains(usages[i]))
            {
                errors.Add(FieldError.NotSupported(Spec.Child("usages").Index(i), BadValue.Of(usages[i]), Usages));
            }
            if (!seen.Add(usages[i]))
            {
                errors.Add(FieldError.Duplicate(Spec.Child("usages").Index(i), BadValue.Of(usages[i])));
            }
        }
        SignerName(spec.StrOrEmpty("signerName"), Spec.Child("signerName"), errors);
        if (spec.Int("expirationSeconds") is { } seconds && seconds < 600)
        {
            errors.Add(FieldError.Invalid(Spec.Child("expirationSeconds"), BadValue.Of(seconds), "may not specify a duration less than 600 seconds (10 minutes)"));
        }
        ConditionsOf(obj, errors);
    }

    /// <summary>Status and approval writes: the conditions, and a certificate that is PEM when set.</summary>
    public static void Status(JsonObject obj, List<FieldError> errors)
    {
        ConditionsOf(obj, errors);
        if (obj.Obj("status").Str("certificate") is { Length: > 0 } certificate && !HasPemBlock(certificate, "CERTIFICATE"))
        {
            errors.Add(FieldError.Invalid(FieldPath.Of("status", "certificate"), BadValue.Go("[]byte{...}"), "must contain at least one CERTIFICATE PEM block"));
        }
    }

    private static void ConditionsOf(JsonObject obj, List<FieldError> errors)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, condition) in obj.Obj("status").Items("conditions"))
        {
            var at = Conditions.Index(i);
            var type = condition.StrOrEmpty("type");
            if (type.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("type")));
            }
            var status = condition.StrOrEmpty("status");
            if (type is "Approved" or "Denied" or "Failed")
            {
                if (status != "True")
                {
                    errors.Add(FieldError.NotSupported(at.Child("status"), BadValue.Of(status), ["True"]));
                }
                if (!types.Add(type))
                {
                    errors.Add(FieldError.Duplicate(at.Child("type"), BadValue.Of(type)));
                }
            }
            else if (status is not ("True" or "False" or "Unknown"))
            {
                errors.Add(FieldError.NotSupported(at.Child("status"), BadValue.Of(status), ["False", "True", "Unknown"]));
            }
        }
        if (types.Contains("Approved") && types.Contains("Denied"))
        {
            errors.Add(FieldError.Invalid(Conditions, BadValue.Go("[]certificates.CertificateSigningRequestCondition{...}"), "Approved and Denied conditions are mutually exclusive"));
        }
    }

    /// <summary>ValidateSignerName: a domain-prefixed path such as example.com/signer-name.</summary>
    private static void SignerName(string name, FieldPath path, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == name.Length - 1)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
            return;
        }
        foreach (var message in Formats.IsDns1123Subdomain(name[..slash]))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(name), message));
        }
    }

    /// <summary>certificates.ParseCSR: null when the base64 PEM holds a parseable CERTIFICATE REQUEST, else the reason.</summary>
    private static string? ParseRequest(string? base64)
    {
        const string wrongBlock = "PEM block type must be CERTIFICATE REQUEST";
        if (string.IsNullOrEmpty(base64))
        {
            return wrongBlock;
        }
        string pem;
        try
        {
            pem = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return wrongBlock;
        }
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "CERTIFICATE REQUEST")
        {
            return wrongBlock;
        }
        try
        {
            var der = Convert.FromBase64String(pem[fields.Base64Data]);
            CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
            return null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return "x509: malformed certificate request";
        }
    }

    private static bool HasPemBlock(string base64, string label)
    {
        try
        {
            var pem = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return PemEncoding.TryFind(pem, out var fields) && pem[fields.Label] == label;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
