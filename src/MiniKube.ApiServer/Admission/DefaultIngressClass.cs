using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// The DefaultIngressClass admission plugin (plugin/pkg/admission/network/defaultingressclass):
/// an Ingress created without spec.ingressClassName and without the legacy
/// <c>kubernetes.io/ingress.class</c> annotation gets the IngressClass annotated
/// <c>ingressclass.kubernetes.io/is-default-class: "true"</c>; with several, the newest (then the
/// first by name), as upstream since 1.28.
/// </summary>
public static class DefaultIngressClass
{
    /// <summary>True when the Ingress names no class, so the plugin should pick one.</summary>
    public static bool Wants(JsonObject ingress)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        return ingress.Obj("spec")?["ingressClassName"] is null
            && ingress.Obj("metadata").Obj("annotations")?.ContainsKey(IngressClassAnnotations.LegacyClass) != true;
    }

    /// <summary>The default class among <paramref name="classes"/>, or null when none is marked default.</summary>
    public static string? Choose(IEnumerable<JsonObject> classes) =>
        DefaultStorageClass.Newest(classes.Where(c => c.Obj("metadata").Obj("annotations").Str(IngressClassAnnotations.IsDefault) == "true"));
}
