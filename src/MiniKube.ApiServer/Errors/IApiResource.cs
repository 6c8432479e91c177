namespace MiniKube.ApiServer.Errors;

/// <summary>
/// How an error names a resource: upstream's schema.GroupResource (NotFound, AlreadyExists,
/// Conflict, Forbidden) and schema.GroupKind (Invalid) in one. the catalog's ResourceType is the
/// implementation; the errors take this instead so that they sit below the catalog and every
/// layer (admission, strategies, registry, HTTP) can raise them.
/// </summary>
public interface IApiResource
{
    /// <summary>API group; empty for core.</summary>
    string Group { get; }

    /// <summary>Plural resource name, e.g. deployments.</summary>
    string Name { get; }

    /// <summary>Object kind, e.g. Deployment.</summary>
    string Kind { get; }

    /// <summary><c>pods</c> for core, <c>deployments.apps</c> otherwise.</summary>
    string QualifiedName { get; }
}
