using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Who a write is by, for managedFields (apiserver pkg/endpoints/handlers rest.go
/// managerOrUserAgent): the <c>fieldManager</c> query parameter, else the User-Agent up to its
/// first '/' ("kubectl" for kubectl/v1.32.4 …), printable characters only, at most 128.
/// </summary>
internal static class FieldOwners
{
    private const int MaxLength = 128;

    /// <param name="optionsKind">CreateOptions, UpdateOptions or PatchOptions, for the 422 message.</param>
    public static FieldOwner For(HttpContext context, ResourceType type, string operation, string? subresource, string optionsKind, TimeProvider clock)
    {
        var manager = ListOptions.Value(context.Request.Query, "fieldManager");
        if (manager is { Length: > 0 })
        {
            if (System.Text.Encoding.UTF8.GetByteCount(manager) > MaxLength)
            {
                throw ApiException.Invalid("meta.k8s.io", optionsKind, "", FieldError.TooLong(FieldPath.Of("fieldManager"), MaxLength));
            }
        }
        else
        {
            manager = FromUserAgent(context.Request.Headers.UserAgent.ToString());
        }
        return new FieldOwner(manager, operation, type.GroupVersion, subresource, clock.GetUtcNow());
    }

    /// <summary>The manager name a User-Agent stands for; "unknown" when it gives none (buildmanagerinfo.go).</summary>
    public static string FromUserAgent(string userAgent)
    {
        var prefix = userAgent.Split('/')[0];
        var name = new System.Text.StringBuilder();
        foreach (var rune in prefix.EnumerateRunes())
        {
            if (System.Text.Rune.IsControl(rune) || System.Text.Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }
            if (name.Length >= MaxLength)
            {
                break;
            }
            name.Append(rune.ToString());
        }
        return name.Length == 0 ? "unknown" : name.ToString();
    }
}
