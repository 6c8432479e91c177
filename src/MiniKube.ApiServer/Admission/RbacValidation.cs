using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and ClusterRoleBinding as v1.32
/// defaults and checks them: pkg/apis/rbac/v1/defaults.go (the roleRef's and subjects' apiGroup)
/// and pkg/apis/rbac/validation/validation.go (rules need verbs, resource rules need groups and
/// resources, non-resource URLs only in ClusterRoles and never mixed with resources; roleRef
/// kind, group and name; subject kinds with their groups; roleRef immutable). Names only need to
/// be URL path segments, as upstream's minimalNameRequirements (<see cref="NameRules.PathSegment"/>).
/// </summary>
internal static class RbacValidation
{
    public const string Group = "rbac.authorization.k8s.io";

    private static readonly string[] Groups = [Group];
    private static readonly string[] NoGroup = [""];
    private static readonly string[] RoleKinds = ["Role", "ClusterRole"];
    private static readonly string[] ClusterRoleKind = ["ClusterRole"];
    private static readonly string[] SubjectKinds = ["ServiceAccount", "User", "Group"];

    /// <summary>SetDefaults_RoleBinding / ClusterRoleBinding and SetDefaults_Subject.</summary>
    public static void BindingDefaults(JsonObject obj)
    {
        if (obj.Obj("roleRef") is { } roleRef && roleRef.StrOrEmpty("apiGroup").Length == 0)
        {
            roleRef["apiGroup"] = Group;
        }
        foreach (var (_, subject) in obj.Items("subjects"))
        {
            if (subject.StrOrEmpty("apiGroup").Length == 0 && subject.Str("kind") is "User" or "Group")
            {
                subject["apiGroup"] = Group;
            }
        }
    }

    /// <summary>ValidateRole after ObjectMeta.</summary>
    public static void Role(JsonObject obj, List<FieldError> errors) => Rules(obj, namespaced: true, errors);

    /// <summary>ValidateClusterRole after ObjectMeta.</summary>
    public static void ClusterRole(JsonObject obj, List<FieldError> errors) => Rules(obj, namespaced: false, errors);

    /// <summary>ValidateRoleBinding after ObjectMeta.</summary>
    public static void RoleBinding(JsonObject obj, List<FieldError> errors) => Binding(obj, namespaced: true, errors);

    /// <summary>ValidateClusterRoleBinding after ObjectMeta.</summary>
    public static void ClusterRoleBinding(JsonObject obj, List<FieldError> errors) => Binding(obj, namespaced: false, errors);

    /// <summary>ValidateRoleBindingUpdate: everything of a create, and the roleRef may not change.</summary>
    public static void RoleBindingUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        RoleBinding(obj, errors);
        ImmutableRoleRef(obj, old, errors);
    }

    /// <summary>ValidateClusterRoleBindingUpdate.</summary>
    public static void ClusterRoleBindingUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ClusterRoleBinding(obj, errors);
        ImmutableRoleRef(obj, old, errors);
    }

    private static void Rules(JsonObject obj, bool namespaced, List<FieldError> errors)
    {
        foreach (var (i, rule) in obj.Items("rules"))
        {
            PolicyRule(rule, namespaced, FieldPath.Of("rules").Index(i), errors);
        }
    }

    // validatePolicyRule.
    private static void PolicyRule(JsonObject rule, bool namespaced, FieldPath path, List<FieldError> errors)
    {
        if (Count(rule, "verbs") == 0)
        {
            errors.Add(FieldError.Required(path.Child("verbs"), "verbs must contain at least one value"));
        }
        if (Count(rule, "nonResourceURLs") > 0)
        {
            var urls = BadValue.Go(GoSyntax.StringSlice(rule.Arr("nonResourceURLs")));
            if (namespaced)
            {
                errors.Add(FieldError.Invalid(path.Child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
            }
            if (Count(rule, "apiGroups") > 0 || Count(rule, "resources") > 0 || Count(rule, "resourceNames") > 0)
            {
                errors.Add(FieldError.Invalid(path.Child("nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs"));
            }
            return;
        }
        if (Count(rule, "apiGroups") == 0)
        {
            errors.Add(FieldError.Required(path.Child("apiGroups"), "resource rules must supply at least one api group"));
        }
        if (Count(rule, "resources") == 0)
        {
            errors.Add(FieldError.Required(path.Child("resources"), "resource rules must supply at least one resource"));
        }
        if (Count(rule, "resourceNames") > 0 && Count(rule, "resources") > 1)
        {
            errors.Add(FieldError.Required(path.Child("resourceNames"), "resource names cannot apply to multiple resources"));
        }
    }

    private static void Binding(JsonObject obj, bool namespaced, List<FieldError> errors)
    {
        var roleRef = obj.Obj("roleRef");
        var group = roleRef.StrOrEmpty("apiGroup");
        if (group != Group)
        {
            errors.Add(FieldError.NotSupported(FieldPath.Of("roleRef", "apiGroup"), BadValue.Of(group), Groups));
        }
        var kind = roleRef.StrOrEmpty("kind");
        var kinds = namespaced ? RoleKinds : ClusterRoleKind;
        if (!kinds.Contains(kind))
        {
            errors.Add(FieldError.NotSupported(FieldPath.Of("roleRef", "kind"), BadValue.Of(kind), kinds));
        }
        var name = roleRef.StrOrEmpty("name");
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(FieldPath.Of("roleRef", "name")));
        }
        else
        {
            foreach (var message in NameRules.PathSegment(name, false))
            {
                errors.Add(FieldError.Invalid(FieldPath.Of("roleRef", "name"), BadValue.Of(name), message));
            }
        }
        foreach (var (i, subject) in obj.Items("subjects"))
        {
            Subject(subject, namespaced, FieldPath.Of("subjects").Index(i), errors);
        }
    }

    // validateRoleBindingSubject.
    private static void Subject(JsonObject subject, bool namespaced, FieldPath path, List<FieldError> errors)
    {
        var name = subject.StrOrEmpty("name");
        var group = subject.StrOrEmpty("apiGroup");
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("name")));
        }
        switch (subject.StrOrEmpty("kind"))
        {
            case "ServiceAccount":
                if (name.Length > 0)
                {
                    foreach (var message in NameRules.DnsSubdomain(name, false))
                    {
                        errors.Add(FieldError.Invalid(path.Child("name"), BadValue.Of(name), message));
                    }
                }
                if (group.Length > 0)
                {
                    errors.Add(FieldError.NotSupported(path.Child("apiGroup"), BadValue.Of(group), NoGroup));
                }
                if (!namespaced && subject.StrOrEmpty("namespace").Length == 0)
                {
                    errors.Add(FieldError.Required(path.Child("namespace")));
                }
                break;
            case var kind and ("User" or "Group"):
                if (name.Length == 0)
                {
                    errors.Add(FieldError.Invalid(path.Child("name"), BadValue.Of(name), kind == "User" ? "user name cannot be empty" : "group name cannot be empty"));
                }
                if (group != Group)
                {
                    errors.Add(FieldError.NotSupported(path.Child("apiGroup"), BadValue.Of(group), Groups));
                }
                break;
            case var other:
                errors.Add(FieldError.NotSupported(path.Child("kind"), BadValue.Of(other), SubjectKinds));
                break;
        }
    }

    private static void ImmutableRoleRef(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        var roleRef = obj.Obj("roleRef");
        var oldRef = old.Obj("roleRef");
        if (roleRef.StrOrEmpty("apiGroup") != oldRef.StrOrEmpty("apiGroup") || roleRef.StrOrEmpty("kind") != oldRef.StrOrEmpty("kind")
            || roleRef.StrOrEmpty("name") != oldRef.StrOrEmpty("name"))
        {
            // Go's %#v of the internal rbac.RoleRef, as field.Invalid prints a struct.
            var value = $"rbac.RoleRef{{APIGroup:{GoSyntax.Quote(roleRef.StrOrEmpty("apiGroup"))}, Kind:{GoSyntax.Quote(roleRef.StrOrEmpty("kind"))}, Name:{GoSyntax.Quote(roleRef.StrOrEmpty("name"))}}}";
            errors.Add(FieldError.Invalid(FieldPath.Of("roleRef"), BadValue.Go(value), "cannot change roleRef"));
        }
    }

    private static int Count(JsonObject rule, string field) => rule.Arr(field)?.Count ?? 0;
}
