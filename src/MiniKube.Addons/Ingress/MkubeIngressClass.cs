namespace MiniKube.Addons.Ingress;

/// <summary>
/// The IngressClass this controller answers to, and so which Ingresses are ours: those naming (by
/// ingressClassName or the legacy annotation) a class whose controller is <see cref="Controller"/>,
/// and those naming none at all, since the default class's controller serves them and the class
/// <see cref="Name"/> that the status controller makes is the default. Both the data plane and the
/// status writer decide with <see cref="Serves"/>, so they never disagree.
/// </summary>
public static class MkubeIngressClass
{
    /// <summary>The IngressClass <c>spec.controller</c> this controller answers to.</summary>
    public const string Controller = "mkube.io/ingress";

    /// <summary>The default IngressClass the status controller makes.</summary>
    public const string Name = "mkube";

    /// <summary>Whether this controller serves <paramref name="ingress"/>; <paramref name="classes"/> looks an IngressClass up by name (null when there is none).</summary>
    public static bool Serves(V1Ingress ingress, Func<string, V1IngressClass?> classes)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        ArgumentNullException.ThrowIfNull(classes);
        var name = ingress.Spec?.IngressClassName;
        if (string.IsNullOrEmpty(name) && ingress.Metadata.Annotations?.TryGetValue(IngressClassAnnotations.LegacyClass, out var legacy) == true)
        {
            name = legacy;
        }
        return string.IsNullOrEmpty(name) || classes(name)?.Spec?.Controller == Controller;
    }
}
