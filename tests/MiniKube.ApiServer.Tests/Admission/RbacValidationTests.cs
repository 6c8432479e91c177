using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Admission;

/// <summary>RBAC kinds' defaults and validation, as pkg/apis/rbac/v1 defaults.go and pkg/apis/rbac/validation of v1.32.</summary>
public sealed class RbacValidationTests
{
    private static ResourceType Type(string name) => ResourceCatalog.Find("rbac.authorization.k8s.io", "v1", name)!;

    private static List<string> Errors(string resource, string json, string? old = null)
    {
        var type = Type(resource);
        var obj = JsonNode.Parse(json)!.AsObject();
        type.Strategy.ApplyDefaults(obj);
        IReadOnlyList<FieldError> errors;
        if (old is null)
        {
            errors = type.Strategy.Validate(obj, type.Namespaced);
        }
        else
        {
            var stored = JsonNode.Parse(old)!.AsObject();
            type.Strategy.ApplyDefaults(stored);
            errors = type.Strategy.ValidateUpdate(obj, stored);
        }
        return errors.Select(e => e.ToString()).ToList();
    }

    [Test]
    public void Role_RuleWithoutVerbsGroupsOrResources_IsRefusedWithUpstreamsWords()
    {
        var errors = Errors("roles", """{"metadata":{"name":"r","namespace":"default"},"rules":[{}]}""");

        Assert.That(errors, Is.EqualTo(new[]
        {
            "rules[0].verbs: Required value: verbs must contain at least one value",
            "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
            "rules[0].resources: Required value: resource rules must supply at least one resource",
        }));
    }

    [Test]
    public void Role_NonResourceUrls_AreOnlyForClusterRoles()
    {
        var role = Errors("roles", """{"metadata":{"name":"r","namespace":"default"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}""");
        var clusterRole = Errors("clusterroles", """{"metadata":{"name":"r"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}""");

        Assert.That(role, Is.EqualTo(new[] { "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs" }));
        Assert.That(clusterRole, Is.Empty);
    }

    [Test]
    public void ClusterRole_MixedRuleAndNamesOverSeveralResources_AreRefused()
    {
        var mixed = Errors("clusterroles", """{"metadata":{"name":"r"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"],"nonResourceURLs":["/x"]}]}""");
        var names = Errors("clusterroles", """{"metadata":{"name":"r"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods","services"],"resourceNames":["a"]}]}""");

        Assert.That(mixed, Is.EqualTo(new[] { "rules[0].nonResourceURLs: Invalid value: []string{\"/x\"}: rules cannot apply to both regular resources and non-resource URLs" }));
        Assert.That(names, Is.EqualTo(new[] { "rules[0].resourceNames: Required value: resource names cannot apply to multiple resources" }));
    }

    [Test]
    public void Names_NeedOnlyBePathSegments()
    {
        Assert.That(Errors("clusterroles", """{"metadata":{"name":"system:Weird Name"}}"""), Is.Empty);
        Assert.That(Errors("clusterroles", """{"metadata":{"name":"a/b"}}"""), Is.EqualTo(new[] { "metadata.name: Invalid value: \"a/b\": may not contain '/'" }));
    }

    [Test]
    public void Binding_Defaults_FillRoleRefAndUserGroupApiGroups()
    {
        var obj = JsonNode.Parse("""{"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"jane"},{"kind":"ServiceAccount","name":"sa","namespace":"ns"}]}""")!.AsObject();

        Type("clusterrolebindings").Strategy.ApplyDefaults(obj);

        Assert.That((string?)obj["roleRef"]!["apiGroup"], Is.EqualTo("rbac.authorization.k8s.io"));
        Assert.That((string?)obj["subjects"]![0]!["apiGroup"], Is.EqualTo("rbac.authorization.k8s.io"));
        Assert.That(obj["subjects"]![1]!.AsObject().ContainsKey("apiGroup"), Is.False);
    }

    [Test]
    public void ClusterRoleBinding_RoleKindSubjectsAndNamespace_AreChecked()
    {
        var errors = Errors("clusterrolebindings", """
            {"metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":""},
             "subjects":[{"kind":"ServiceAccount","name":"sa"},{"kind":"User","name":"u","apiGroup":"other"},{"kind":"Robot","name":"r"}]}
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
            "roleRef.name: Required value",
            "subjects[0].namespace: Required value",
            "subjects[1].apiGroup: Unsupported value: \"other\": supported values: \"rbac.authorization.k8s.io\"",
            "subjects[2].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
        }));
    }

    [Test]
    public void RoleBinding_ServiceAccountWithoutNamespace_IsAllowed()
    {
        var errors = Errors("rolebindings", """{"metadata":{"name":"b","namespace":"default"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"ServiceAccount","name":"sa"}]}""");

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void RoleBinding_ChangedRoleRef_CannotChange()
    {
        const string old = """{"metadata":{"name":"b","namespace":"default","resourceVersion":"1"},"roleRef":{"kind":"ClusterRole","name":"view"}}""";

        var errors = Errors("rolebindings", """{"metadata":{"name":"b","namespace":"default","resourceVersion":"1"},"roleRef":{"kind":"ClusterRole","name":"edit"}}""", old);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef",
        }));
    }
}
