using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Scheme defaults of the workload kinds and of their pod templates: kubernetes
/// pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go and SetDefaults_ReplicationController
/// in pkg/apis/core/v1/defaults.go; plus the Job strategy's generated selector on create
/// (pkg/registry/batch/job/strategy.go generateSelector).
/// </summary>
internal static class WorkloadDefaults
{
    private const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    private const string LegacyControllerUidLabel = "controller-uid";
    private const string JobNameLabel = "batch.kubernetes.io/job-name";
    private const string LegacyJobNameLabel = "job-name";

    public static void Deployment(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.Default("replicas", 1);
        var strategy = spec.Ensure("strategy");
        strategy.DefaultString("type", "RollingUpdate");
        if (strategy.Str("type") == "RollingUpdate")
        {
            var rolling = strategy.Ensure("rollingUpdate");
            rolling.Default("maxUnavailable", "25%");
            rolling.Default("maxSurge", "25%");
        }
        spec.Default("revisionHistoryLimit", 10);
        spec.Default("progressDeadlineSeconds", 600);
        Template(spec);
    }

    public static void ReplicaSet(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.Default("replicas", 1);
        Template(spec);
    }

    public static void StatefulSet(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.DefaultString("podManagementPolicy", "OrderedReady");
        var strategy = spec.Ensure("updateStrategy");
        if (string.IsNullOrEmpty(strategy.Str("type")))
        {
            strategy["type"] = "RollingUpdate";
            strategy.Ensure("rollingUpdate");
        }
        if (strategy.Str("type") == "RollingUpdate" && strategy.Obj("rollingUpdate") is { } rolling)
        {
            rolling.Default("partition", 0);
        }
        var retention = spec.Ensure("persistentVolumeClaimRetentionPolicy");
        retention.DefaultString("whenDeleted", "Retain");
        retention.DefaultString("whenScaled", "Retain");
        spec.Default("replicas", 1);
        spec.Default("revisionHistoryLimit", 10);
        foreach (var (_, claim) in spec.Items("volumeClaimTemplates"))
        {
            CoreDefaults.PersistentVolumeClaim(claim);
        }
        Template(spec);
    }

    public static void DaemonSet(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        var strategy = spec.Ensure("updateStrategy");
        strategy.DefaultString("type", "RollingUpdate");
        if (strategy.Str("type") == "RollingUpdate")
        {
            var rolling = strategy.Ensure("rollingUpdate");
            rolling.Default("maxUnavailable", 1);
            rolling.Default("maxSurge", 0);
        }
        spec.Default("revisionHistoryLimit", 10);
        Template(spec);
    }

    public static void ReplicationController(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        // An RC without selector or labels takes its template's labels for both.
        if (spec.Obj("template").Obj("metadata").Obj("labels") is { } labels)
        {
            if (spec.Obj("selector") is not { Count: > 0 })
            {
                spec["selector"] = labels.DeepClone();
            }
            if (obj.Obj("metadata").Obj("labels") is not { Count: > 0 })
            {
                obj.Ensure("metadata")["labels"] = labels.DeepClone();
            }
        }
        spec.Default("replicas", 1);
        Template(spec);
    }

    public static void Job(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        JobSpec(spec);
        // A Job without labels takes its template's; this runs on every decode, so labels the
        // create strategy adds to the template show up on the Job as well.
        if (spec.Obj("template").Obj("metadata").Obj("labels") is { } labels && obj.Obj("metadata").Obj("labels") is not { Count: > 0 })
        {
            obj.Ensure("metadata")["labels"] = labels.DeepClone();
        }
        spec.Default("manualSelector", false);
    }

    public static void CronJob(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.DefaultString("concurrencyPolicy", "Allow");
        spec.Default("suspend", false);
        spec.Default("successfulJobsHistoryLimit", 3);
        spec.Default("failedJobsHistoryLimit", 1);
        // The job template's JobSpec is not a Job, so SetDefaults_Job does not reach it; its pod template is defaulted.
        if (spec.Obj("jobTemplate").Obj("spec") is { } jobSpec)
        {
            Template(jobSpec);
        }
    }

    /// <summary>The Job create strategy: unless manualSelector, label the template with the Job's uid and name and select on the uid.</summary>
    public static void JobOnCreate(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        var uid = obj.Obj("metadata").Str("uid");
        if (spec.Bool("manualSelector") == true || string.IsNullOrEmpty(uid))
        {
            return;
        }
        var name = obj.Obj("metadata").StrOrEmpty("name");
        var labels = spec.Ensure("template").Ensure("metadata").Ensure("labels");
        foreach (var key in new[] { ControllerUidLabel, JobNameLabel, LegacyControllerUidLabel, LegacyJobNameLabel })
        {
            labels.Default(key, key is ControllerUidLabel or LegacyControllerUidLabel ? uid : name);
        }
        var matchLabels = spec.Ensure("selector").Ensure("matchLabels");
        matchLabels.Default(ControllerUidLabel, uid);
        Job(obj);
    }

    private static void JobSpec(JsonObject spec)
    {
        if (!spec.Has("completions") && !spec.Has("parallelism"))
        {
            spec["completions"] = 1;
        }
        spec.Default("parallelism", 1);
        spec.Default("backoffLimit", spec.Has("backoffLimitPerIndex") ? int.MaxValue : 6);
        spec.Default("completionMode", "NonIndexed");
        spec.Default("suspend", false);
        foreach (var (_, rule) in spec.Obj("podFailurePolicy").Items("rules"))
        {
            foreach (var (_, pattern) in rule.Items("onPodConditions"))
            {
                pattern.DefaultString("status", "True");
            }
        }
        spec.Default("podReplacementPolicy", spec.Has("podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
        Template(spec);
    }

    private static void Template(JsonObject spec)
    {
        if (spec.Obj("template") is { } template)
        {
            PodSpecDefaults.Apply(template.Ensure("spec"));
        }
    }
}
