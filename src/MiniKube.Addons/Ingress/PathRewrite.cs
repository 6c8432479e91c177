using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The Gateway API's ReplacePrefixMatch as a YARP transform (config form
/// <c>{ "MkubeReplacePrefix": "/matched", "With": "/new" }</c>; YARP's own path transforms cannot
/// say "the part after the matched prefix"): the route's matched prefix, taken element-wise as
/// the match took it, is replaced and the rest of the path kept.
/// </summary>
public sealed class PathRewrite : ITransformFactory
{
    public const string Key = "MkubeReplacePrefix";
    public const string WithKey = "With";

    /// <summary>
    /// <paramref name="path"/> with its prefix replaced: <c>/prefix/one</c> → <c>/one</c> turns
    /// <c>/prefix/one/two</c> into <c>/one/two</c>; <c>/</c> strips the prefix; a path without it is returned as it is.
    /// </summary>
    public static string ReplacePrefix(string prefix, string replacement, string path)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        if (!ProxyRoute.PrefixMatches(prefix, path))
        {
            return path;
        }
        var trimmed = prefix.TrimEnd('/');
        var rest = path[trimmed.Length..];
        var head = replacement.TrimEnd('/');
        var result = rest.Length == 0 ? (head.Length == 0 ? "/" : replacement) : head + rest;
        return result.StartsWith('/') ? result : "/" + result;
    }

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);
        if (!transformValues.ContainsKey(Key))
        {
            return false;
        }
        if (!transformValues.ContainsKey(WithKey))
        {
            context.Errors.Add(new ArgumentException($"{Key} needs {WithKey}"));
        }
        return true;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transformValues);
        if (!transformValues.TryGetValue(Key, out var prefix))
        {
            return false;
        }
        var replacement = transformValues[WithKey];
        context.AddRequestTransform(transform =>
        {
            transform.Path = ReplacePrefix(prefix, replacement, transform.Path.Value is { Length: > 0 } value ? value : "/");
            return ValueTask.CompletedTask;
        });
        return true;
    }
}
