using k8s.Models;
using MiniKube.Addons.Ingress;
using MiniKube.Api;
using static MiniKube.Addons.Tests.Ingress.IngressObjects;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class MkubeIngressClassTests
{
    [TestCase(null, null, true)]
    [TestCase("mkube", null, true)]
    [TestCase("other", null, false)]
    [TestCase("missing", null, false)]
    [TestCase(null, "mkube", true)]
    [TestCase(null, "nginx", false)]
    public void Serves_ClassByNameOrLegacyAnnotation(string? className, string? annotation, bool expected)
    {
        var ingress = NewIngress("default", "x");
        ingress.Spec.IngressClassName = className;
        if (annotation is not null)
        {
            ingress.Metadata.Annotations = new Dictionary<string, string> { [IngressClassAnnotations.LegacyClass] = annotation };
        }
        var classes = new Dictionary<string, V1IngressClass>
        {
            ["mkube"] = new() { Spec = new V1IngressClassSpec { Controller = MkubeIngressClass.Controller } },
            ["other"] = new() { Spec = new V1IngressClassSpec { Controller = "example.com/other" } },
        };

        Assert.That(MkubeIngressClass.Serves(ingress, name => classes.GetValueOrDefault(name)), Is.EqualTo(expected));
    }
}
