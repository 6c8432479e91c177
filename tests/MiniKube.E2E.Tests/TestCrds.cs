namespace MiniKube.E2E.Tests;

/// <summary>Custom resource definitions the end-to-end tests install, written once.</summary>
internal static class TestCrds
{
    /// <summary>
    /// The smallest CRD a test needs to install a kind and write objects of it: namespaced, one
    /// version (<c>v1</c>, served and stored), objects with an integer <c>spec.size</c>. Ends with
    /// a newline, so it can be joined with other documents by <c>---</c>.
    /// </summary>
    public static string Sized(string group, string plural, string kind) => $"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: {plural}.{group}
        spec:
          group: {group}
          scope: Namespaced
          names:
            plural: {plural}
            singular: {kind.ToLowerInvariant()}
            kind: {kind}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size:
                        type: integer

        """;
}
