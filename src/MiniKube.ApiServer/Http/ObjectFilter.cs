using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Selectors;

using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Http;

/// <summary>A LIST or WATCH's label and field selectors as one predicate (null: everything).</summary>
internal static class ObjectFilter
{
    public static Func<JsonObject, bool>? From(ResourceType type, ListOptions options)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(options.LabelSelector);
            fields = FieldSelector.Parse(options.FieldSelector, type);
        }
        catch (InvalidSelectorException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        if (labels.IsEverything && fields.IsEverything)
        {
            return null;
        }
        return obj => fields.Matches(obj) && labels.Matches(obj["metadata"]?["labels"] as JsonObject);
    }
}
