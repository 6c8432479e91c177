using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Tests.Auth;

public class RequestAttributesTests
{
    private static readonly UserInfo Jane = new("jane", ["dev", UserInfo.AuthenticatedGroup]);

    [TestCase("GET", "/api/v1/namespaces/default/pods", "", "list", "", "pods", "", "default", "")]
    [TestCase("GET", "/api/v1/namespaces/default/pods", "?watch=true", "watch", "", "pods", "", "default", "")]
    [TestCase("GET", "/api/v1/namespaces/default/pods", "?watch=0", "list", "", "pods", "", "default", "")]
    [TestCase("GET", "/api/v1/watch/namespaces/default/pods", "", "watch", "", "pods", "", "default", "")]
    [TestCase("GET", "/api/v1/namespaces/default/pods/web", "", "get", "", "pods", "", "default", "web")]
    [TestCase("GET", "/api/v1/namespaces/default/pods/web/log", "", "get", "", "pods", "log", "default", "web")]
    [TestCase("POST", "/api/v1/namespaces/default/pods/web/exec", "", "create", "", "pods", "exec", "default", "web")]
    [TestCase("GET", "/api/v1/namespaces/default/pods/web/exec", "?command=sh", "create", "", "pods", "exec", "default", "web")]
    [TestCase("POST", "/apis/apps/v1/namespaces/x/deployments", "", "create", "apps", "deployments", "", "x", "")]
    [TestCase("PUT", "/apis/apps/v1/namespaces/x/deployments/d/scale", "", "update", "apps", "deployments", "scale", "x", "d")]
    [TestCase("PATCH", "/apis/apps/v1/namespaces/x/deployments/d", "", "patch", "apps", "deployments", "", "x", "d")]
    [TestCase("DELETE", "/apis/apps/v1/namespaces/x/deployments/d", "", "delete", "apps", "deployments", "", "x", "d")]
    [TestCase("DELETE", "/apis/apps/v1/namespaces/x/deployments", "", "deletecollection", "apps", "deployments", "", "x", "")]
    [TestCase("GET", "/api/v1/namespaces", "", "list", "", "namespaces", "", "", "")]
    [TestCase("GET", "/api/v1/namespaces/kube-system", "", "get", "", "namespaces", "", "kube-system", "kube-system")]
    [TestCase("PUT", "/api/v1/namespaces/x/finalize", "", "update", "", "namespaces", "finalize", "x", "x")]
    [TestCase("GET", "/api/v1/nodes/n1/proxy/stats/summary", "", "get", "", "nodes", "proxy", "", "n1")]
    [TestCase("GET", "/api/v1/proxy/namespaces/x/services/s/a/b", "", "proxy", "", "services", "", "x", "s")]
    [TestCase("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "")]
    [TestCase("GET", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name%3Ds1", "list", "", "secrets", "", "x", "s1")]
    [TestCase("GET", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name%3D%3Ds1&watch=1", "watch", "", "secrets", "", "x", "s1")]
    [TestCase("GET", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name!%3Ds1", "list", "", "secrets", "", "x", "")]
    [TestCase("GET", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name%3D..", "list", "", "secrets", "", "x", "")]
    [TestCase("GET", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name%3Da%2Fb", "list", "", "secrets", "", "x", "")]
    [TestCase("GET", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name%3Da%2Cb", "list", "", "secrets", "", "x", "")]
    [TestCase("DELETE", "/api/v1/namespaces/x/secrets", "?fieldSelector=metadata.name%3Ds1", "deletecollection", "", "secrets", "", "x", "")]
    public void From_ResourcePath_ParsesAsUpstreamRequestInfo(string method, string path, string query, string verb, string group, string resource, string subresource, string ns, string name)
    {
        var attributes = RequestAttributes.From(Request(method, path, query), Jane);

        Assert.That(attributes.IsResourceRequest, Is.True);
        Assert.That(attributes.Verb, Is.EqualTo(verb));
        Assert.That(attributes.ApiGroup, Is.EqualTo(group));
        Assert.That(attributes.Resource, Is.EqualTo(resource));
        Assert.That(attributes.Subresource, Is.EqualTo(subresource));
        Assert.That(attributes.Namespace, Is.EqualTo(ns));
        Assert.That(attributes.Name, Is.EqualTo(name));
        Assert.That(attributes.User, Is.SameAs(Jane));
    }

    [TestCase("GET", "/api", "get")]
    [TestCase("GET", "/api/v1", "get")]
    [TestCase("GET", "/apis", "get")]
    [TestCase("GET", "/apis/apps", "get")]
    [TestCase("GET", "/apis/apps/v1", "get")]
    [TestCase("GET", "/openapi/v3/apis/apps/v1", "get")]
    [TestCase("GET", "/metrics", "get")]
    [TestCase("POST", "/healthz", "post")]
    public void From_NonResourcePath_KeepsPathAndLowercaseMethod(string method, string path, string verb)
    {
        var attributes = RequestAttributes.From(Request(method, path, ""), Jane);

        Assert.That(attributes.IsResourceRequest, Is.False);
        Assert.That(attributes.Verb, Is.EqualTo(verb));
        Assert.That(attributes.Path, Is.EqualTo(path));
        Assert.That(attributes.Resource, Is.Empty);
    }

    [Test]
    public void From_ListWithFieldSelector_CarriesItsTerms()
    {
        var attributes = RequestAttributes.From(Request("GET", "/api/v1/pods", "?fieldSelector=spec.nodeName%3Dn1,status.phase!%3DFailed"), Jane);

        Assert.That(attributes.FieldSelector, Is.EqualTo(new[] { new FieldTerm("spec.nodeName", "n1", false), new FieldTerm("status.phase", "Failed", true) }));
    }

    [TestCase("GET", "/api/v1/namespaces/x/pods/p", "?fieldSelector=spec.nodeName%3Dn1")]
    [TestCase("GET", "/api/v1/watch/pods", "?fieldSelector=spec.nodeName%3Dn1")]
    [TestCase("GET", "/api/v1/pods", "?fieldSelector=spec.nodeName")]
    public void From_NoSelectorForAuthorization_WhenNotAListOrUnparsable(string method, string path, string query)
    {
        var attributes = RequestAttributes.From(Request(method, path, query), Jane);

        Assert.That(attributes.FieldSelector, Is.Empty);
    }

    private static HttpRequest Request(string method, string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context.Request;
    }
}
