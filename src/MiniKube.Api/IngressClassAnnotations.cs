namespace MiniKube.Api;

/// <summary>
/// The annotations that decide which IngressClass an Ingress belongs to (networking/v1
/// annotations.go). The API server's DefaultIngressClass admission reads both; the ingress add-on
/// writes <see cref="IsDefault"/> on the class it makes and serves the class that
/// <see cref="LegacyClass"/> names.
/// </summary>
public static class IngressClassAnnotations
{
    /// <summary>On an IngressClass: "true" makes it the class of Ingresses that name none.</summary>
    public const string IsDefault = "ingressclass.kubernetes.io/is-default-class";

    /// <summary>On an Ingress: its class, as named before spec.ingressClassName existed (still honoured by ingress-nginx and Traefik); an Ingress carrying it gets no default class.</summary>
    public const string LegacyClass = "kubernetes.io/ingress.class";
}
