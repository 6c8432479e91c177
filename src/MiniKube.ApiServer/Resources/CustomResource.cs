using MiniKube.ApiServer.CustomResources;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// The facts of one served version of a CustomResourceDefinition that the machinery beyond the
/// strategy needs (Tables, OpenAPI, field selectors, scale, server-side apply): derived once when
/// the CRD is registered and shared read-only by every request, so nothing parses the CRD or its
/// schema per request. <see cref="Definition"/> is a private, fully built copy of the stored CRD
/// (safe for concurrent reads) and must never be changed.
/// </summary>
/// <param name="CrdName">metadata.name of the CRD, e.g. widgets.example.com.</param>
/// <param name="CrdUid">metadata.uid of the CRD.</param>
/// <param name="ResourceVersion">The CRD's resourceVersion this was derived from.</param>
/// <param name="Generation">The CRD's metadata.generation.</param>
/// <param name="Definition">The whole CRD as stored.</param>
/// <param name="Version">The served version's name, e.g. v1.</param>
/// <param name="Schema">The version's structural schema engine (prune, default, validate, CEL).</param>
/// <param name="PrinterColumns">additionalPrinterColumns of the version (empty when none).</param>
/// <param name="SelectableFields">selectableFields' jsonPaths, e.g. .spec.color.</param>
/// <param name="Scale">The scale subresource's paths, or null when not declared.</param>
/// <param name="Terminating">True once the CRD is being deleted: creates are refused.</param>
public sealed record CustomResource(
    string CrdName,
    string CrdUid,
    string ResourceVersion,
    long Generation,
    JsonObject Definition,
    string Version,
    CustomResourceSchema Schema,
    JsonArray PrinterColumns,
    IReadOnlyList<string> SelectableFields,
    ScalePaths? Scale,
    bool Terminating);

/// <summary>The scale subresource of a CRD version (apiextensions CustomResourceSubresourceScale), JSON paths such as <c>.spec.replicas</c>.</summary>
/// <param name="SpecReplicasPath">Where the desired replicas live; must be under .spec.</param>
/// <param name="StatusReplicasPath">Where the observed replicas live; under .status.</param>
/// <param name="LabelSelectorPath">Where the selector string for the HPA lives (under .status or .spec), or null.</param>
public sealed record ScalePaths(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);
