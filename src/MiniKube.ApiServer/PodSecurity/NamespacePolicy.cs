using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// The three modes a namespace's labels set (pod-security-admission api/helpers.go Policy):
/// enforce refuses pods, audit would annotate the audit event, warn answers with Warning headers.
/// </summary>
public sealed record NamespacePolicy(LevelVersion Enforce, LevelVersion Audit, LevelVersion Warn)
{
    /// <summary>The prefix of every Pod Security label.</summary>
    public const string LabelPrefix = "pod-security.kubernetes.io/";

    public const string EnforceLevelLabel = LabelPrefix + "enforce";
    public const string EnforceVersionLabel = LabelPrefix + "enforce-version";
    public const string AuditLevelLabel = LabelPrefix + "audit";
    public const string AuditVersionLabel = LabelPrefix + "audit-version";
    public const string WarnLevelLabel = LabelPrefix + "warn";
    public const string WarnVersionLabel = LabelPrefix + "warn-version";

    private static readonly FieldPath LabelsPath = FieldPath.Of("metadata", "labels");

    /// <summary>privileged:latest in every mode: the built-in default, as k3s ships it.</summary>
    public static NamespacePolicy Privileged { get; } = new(LevelVersion.PrivilegedLatest, LevelVersion.PrivilegedLatest, LevelVersion.PrivilegedLatest);

    /// <summary>True when no mode checks anything.</summary>
    public bool FullyPrivileged =>
        Enforce.Level == PodSecurityLevel.Privileged && Audit.Level == PodSecurityLevel.Privileged && Warn.Level == PodSecurityLevel.Privileged;

    /// <summary>Every mode equivalent (both privileged, or equal level and version).</summary>
    public bool EquivalentTo(NamespacePolicy other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Enforce.EquivalentTo(other.Enforce) && Audit.EquivalentTo(other.Audit) && Warn.EquivalentTo(other.Warn);
    }

    /// <summary>
    /// The policy a namespace's labels ask for, over <paramref name="defaults"/> for labels not
    /// set (api/helpers.go PolicyToEvaluate). A usable policy always comes back, also with errors:
    /// a bad enforce level enforces restricted, a bad audit or warn level is privileged (fail
    /// open), a bad version is latest. Warn follows an explicitly stricter enforce level (and its
    /// version) unless the warn label is set itself. Errors name the label as
    /// metadata.labels[&lt;label&gt;].
    /// </summary>
    public static (NamespacePolicy Policy, IReadOnlyList<FieldError> Errors) FromLabels(IReadOnlyDictionary<string, string>? labels, NamespacePolicy defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (labels is null || labels.Count == 0)
        {
            return (defaults, []);
        }
        var errors = new List<FieldError>();
        var enforce = defaults.Enforce;
        var audit = defaults.Audit;
        var warn = defaults.Warn;
        var hasEnforceLevel = false;
        if (labels.TryGetValue(EnforceLevelLabel, out var value))
        {
            var level = ParseLevel(EnforceLevelLabel, value, errors);
            hasEnforceLevel = level is not null;
            enforce = enforce with { Level = level ?? PodSecurityLevel.Restricted };
        }
        if (labels.TryGetValue(EnforceVersionLabel, out value))
        {
            enforce = enforce with { Version = ParseVersion(EnforceVersionLabel, value, errors) };
        }
        if (labels.TryGetValue(AuditLevelLabel, out value))
        {
            audit = audit with { Level = ParseLevel(AuditLevelLabel, value, errors) ?? PodSecurityLevel.Privileged };
        }
        if (labels.TryGetValue(AuditVersionLabel, out value))
        {
            audit = audit with { Version = ParseVersion(AuditVersionLabel, value, errors) };
        }
        var hasWarnLevel = labels.TryGetValue(WarnLevelLabel, out value);
        if (hasWarnLevel)
        {
            warn = warn with { Level = ParseLevel(WarnLevelLabel, value!, errors) ?? PodSecurityLevel.Privileged };
        }
        var hasWarnVersion = labels.TryGetValue(WarnVersionLabel, out value);
        if (hasWarnVersion)
        {
            warn = warn with { Version = ParseVersion(WarnVersionLabel, value!, errors) };
        }
        if (!hasWarnLevel && hasEnforceLevel && enforce.Level > warn.Level)
        {
            warn = new LevelVersion(enforce.Level, hasWarnVersion ? warn.Version : enforce.Version);
        }
        return (new NamespacePolicy(enforce, audit, warn), errors);
    }

    /// <summary>The Pod Security labels of a namespace object (only those: the rest cannot matter).</summary>
    public static IReadOnlyDictionary<string, string> Labels(JsonObject? namespaceObject)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (namespaceObject?["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (key, node) in map)
            {
                if (key.StartsWith(LabelPrefix, StringComparison.Ordinal) && node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                {
                    labels[key] = v.GetValue<string>();
                }
            }
        }
        return labels;
    }

    private static PodSecurityLevel? ParseLevel(string label, string value, List<FieldError> errors)
    {
        var level = PodSecurityLevels.Parse(value);
        if (level is null)
        {
            errors.Add(FieldError.Invalid(LabelsPath.Key(label), BadValue.Of(value), PodSecurityLevels.ValidValues));
        }
        return level;
    }

    private static PolicyVersion ParseVersion(string label, string value, List<FieldError> errors)
    {
        var version = PolicyVersion.Parse(value);
        if (version is null)
        {
            errors.Add(FieldError.Invalid(LabelsPath.Key(label), BadValue.Of(value), PolicyVersion.ValidValues));
        }
        return version ?? PolicyVersion.Latest;
    }
}
