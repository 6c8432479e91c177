using MiniKube.ApiServer.Selectors;

using JsonLabelSelector = MiniKube.ApiServer.Objects.JsonLabelSelector;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of the controllers that own pods: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
/// CronJob, ReplicationController and ControllerRevision, following the print functions of
/// kubernetes pkg/printers/internalversion/printers.go.
/// </summary>
internal static class WorkloadPrinters
{
    private static readonly TableColumn ContainersColumn = TableColumn.Text("Containers", "Names of each container in the template.", 1);
    private static readonly TableColumn ImagesColumn = TableColumn.Text("Images", "Images referenced by each container in the template.", 1);
    private static readonly TableColumn SelectorColumn = TableColumn.Text("Selector", "The label selector that picks the pods this object manages.", 1);

    public static TablePrinter Deployment { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Ready", "Number of the pod with ready state"),
            TableColumn.Text("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            TableColumn.Text("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            TableColumn.Age,
            ContainersColumn,
            ImagesColumn,
            SelectorColumn,
        ],
        (d, now) =>
        {
            var (names, images) = Cells.Containers(JsonFields.Get(d, "spec", "template", "spec"));
            return
            [
                Cells.Name(d),
                Ratio(JsonFields.Integer(d, "status", "readyReplicas") ?? 0, DesiredReplicas(d)),
                JsonFields.Integer(d, "status", "updatedReplicas") ?? 0,
                JsonFields.Integer(d, "status", "availableReplicas") ?? 0,
                Cells.Age(d, now),
                names,
                images,
                SelectorString(JsonFields.Get(d, "spec", "selector")),
            ];
        });

    public static TablePrinter ReplicaSet { get; } = ReplicaCounts(rs => Cells.Selector(JsonFields.Get(rs, "spec", "selector")));

    public static TablePrinter StatefulSet { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Ready", "Number of the pod with ready state"), TableColumn.Age, ContainersColumn, ImagesColumn],
        (sts, now) =>
        {
            var (names, images) = Cells.Containers(JsonFields.Get(sts, "spec", "template", "spec"));
            return [Cells.Name(sts), Ratio(JsonFields.Integer(sts, "status", "readyReplicas") ?? 0, DesiredReplicas(sts)), Cells.Age(sts, now), names, images];
        });

    public static TablePrinter DaemonSet { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Integer("Desired", "The total number of nodes that should be running the daemon pod."),
            TableColumn.Integer("Current", "The number of nodes running at least one daemon pod and supposed to."),
            TableColumn.Integer("Ready", "The number of nodes whose daemon pod is ready."),
            TableColumn.Integer("Up-to-date", "The number of nodes running the updated daemon pod."),
            TableColumn.Integer("Available", "The number of nodes whose daemon pod has been available for minReadySeconds."),
            TableColumn.Text("Node Selector", "The node selector of the pod template."),
            TableColumn.Age,
            ContainersColumn,
            ImagesColumn,
            SelectorColumn,
        ],
        (ds, now) =>
        {
            var podSpec = JsonFields.Get(ds, "spec", "template", "spec");
            var (names, images) = Cells.Containers(podSpec);
            return
            [
                Cells.Name(ds),
                JsonFields.Integer(ds, "status", "desiredNumberScheduled") ?? 0,
                JsonFields.Integer(ds, "status", "currentNumberScheduled") ?? 0,
                JsonFields.Integer(ds, "status", "numberReady") ?? 0,
                JsonFields.Integer(ds, "status", "updatedNumberScheduled") ?? 0,
                JsonFields.Integer(ds, "status", "numberAvailable") ?? 0,
                Cells.Labels(JsonFields.Get(podSpec, "nodeSelector")),
                Cells.Age(ds, now),
                names,
                images,
                Cells.Selector(JsonFields.Get(ds, "spec", "selector")),
            ];
        });

    public static TablePrinter Job { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Status", "Status of the job."),
            TableColumn.Text("Completions", "The number of pods which reached phase Succeeded."),
            TableColumn.Text("Duration", "Time required to complete the job."),
            TableColumn.Age,
            ContainersColumn,
            ImagesColumn,
            SelectorColumn,
        ],
        (job, now) =>
        {
            var (names, images) = Cells.Containers(JsonFields.Get(job, "spec", "template", "spec"));
            return
            [
                Cells.Name(job),
                JobStatus(job),
                JobCompletions(job),
                JobDuration(job, now),
                Cells.Age(job, now),
                names,
                images,
                Cells.Selector(JsonFields.Get(job, "spec", "selector")),
            ];
        });

    public static TablePrinter CronJob { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Schedule", "The schedule in Cron format."),
            TableColumn.Text("Timezone", "The time zone the schedule is read in."),
            new TableColumn("Suspend", "boolean", "Whether later executions are suspended."),
            TableColumn.Integer("Active", "The number of currently running jobs."),
            TableColumn.Text("Last Schedule", "When the job was last successfully scheduled."),
            TableColumn.Age,
            ContainersColumn,
            ImagesColumn,
            SelectorColumn,
        ],
        (cj, now) =>
        {
            var jobSpec = JsonFields.Get(cj, "spec", "jobTemplate", "spec");
            var (names, images) = Cells.Containers(JsonFields.Get(jobSpec, "template", "spec"));
            var lastSchedule = JsonFields.Get(cj, "status", "lastScheduleTime") is null
                ? Cells.None
                : HumanDuration.Since(JsonFields.Time(cj, "status", "lastScheduleTime"), now);
            return
            [
                Cells.Name(cj),
                JsonFields.Text(cj, "spec", "schedule"),
                JsonFields.String(cj, "spec", "timeZone") ?? Cells.None,
                Cells.OptionalBool(JsonFields.Boolean(cj, "spec", "suspend")),
                (long)JsonFields.Count(cj, "status", "active"),
                lastSchedule,
                Cells.Age(cj, now),
                names,
                images,
                Cells.Selector(JsonFields.Get(jobSpec, "selector")),
            ];
        });

    // A replication controller's selector is a plain map, not a metav1.LabelSelector.
    public static TablePrinter ReplicationController { get; } = ReplicaCounts(rc => Cells.Labels(JsonFields.Get(rc, "spec", "selector")));

    public static TablePrinter ControllerRevision { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Controller", "Controller of the object"),
            TableColumn.Text("Revision", "The revision this object represents."),
            TableColumn.Age,
        ],
        (cr, now) => [Cells.Name(cr), Controller(cr), JsonFields.Integer(cr, "revision") ?? 0, Cells.Age(cr, now)]);

    // ReplicaSet and ReplicationController print the same counts and differ only in their selector's shape.
    private static TablePrinter ReplicaCounts(Func<JsonObject, string> selector) => new(
        [
            TableColumn.ObjectName,
            TableColumn.Integer("Desired", "Number of desired pods."),
            TableColumn.Integer("Current", "The number of pods that currently exist."),
            TableColumn.Integer("Ready", "The number of ready pods."),
            TableColumn.Age,
            ContainersColumn,
            ImagesColumn,
            SelectorColumn,
        ],
        (obj, now) =>
        {
            var (names, images) = Cells.Containers(JsonFields.Get(obj, "spec", "template", "spec"));
            return
            [
                Cells.Name(obj),
                DesiredReplicas(obj),
                JsonFields.Integer(obj, "status", "replicas") ?? 0,
                JsonFields.Integer(obj, "status", "readyReplicas") ?? 0,
                Cells.Age(obj, now),
                names,
                images,
                selector(obj),
            ];
        });

    // spec.replicas is defaulted to 1 at creation (v1 SetDefaults_*); an undefaulted object shows the default too.
    private static long DesiredReplicas(JsonObject obj) => JsonFields.Integer(obj, "spec", "replicas") ?? 1;

    private static string Ratio(long ready, long desired) => string.Create(CultureInfo.InvariantCulture, $"{ready}/{desired}");

    // printDeployment prints selector.String() directly: "" rather than <none> when empty.
    private static string SelectorString(JsonNode? labelSelector)
    {
        try
        {
            return JsonLabelSelector.From(labelSelector as JsonObject).ToString();
        }
        catch (InvalidSelectorException)
        {
            return "<invalid>";
        }
    }

    private static string JobStatus(JsonObject job)
    {
        if (JobCondition(job, "Complete"))
        {
            return "Complete";
        }

        if (JobCondition(job, "Failed"))
        {
            return "Failed";
        }

        if (JsonFields.Get(job, "metadata", "deletionTimestamp") is not null)
        {
            return "Terminating";
        }

        if (JobCondition(job, "Suspended"))
        {
            return "Suspended";
        }

        return JobCondition(job, "FailureTarget") ? "FailureTarget" : "Running";
    }

    // The first condition of the type decides (hasJobCondition).
    private static bool JobCondition(JsonObject job, string type) =>
        JsonFields.Objects(job, "status", "conditions").FirstOrDefault(c => JsonFields.Text(c, "type") == type) is { } condition
        && JsonFields.Text(condition, "status") == "True";

    private static string JobCompletions(JsonObject job)
    {
        var succeeded = JsonFields.Integer(job, "status", "succeeded") ?? 0;
        if (JsonFields.Integer(job, "spec", "completions") is { } completions)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{succeeded}/{completions}");
        }

        var parallelism = JsonFields.Integer(job, "spec", "parallelism") ?? 0;
        return parallelism > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1 of {parallelism}")
            : string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1");
    }

    private static string JobDuration(JsonObject job, DateTimeOffset now)
    {
        if (JsonFields.Time(job, "status", "startTime") is not { } start)
        {
            return "";
        }

        return JsonFields.Time(job, "status", "completionTime") is { } end ? HumanDuration.Format(end - start) : HumanDuration.Format(now - start);
    }

    // The controlling owner as "kind.group/name" in lower case (formatResourceName), or <none>.
    private static string Controller(JsonObject obj)
    {
        var owner = JsonFields.Objects(obj, "metadata", "ownerReferences").FirstOrDefault(o => JsonFields.Boolean(o, "controller") == true);
        if (owner is null)
        {
            return Cells.None;
        }

        var apiVersion = JsonFields.Text(owner, "apiVersion");
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var kind = JsonFields.Text(owner, "kind");
        var groupKind = group.Length == 0 ? kind : kind + "." + group;
        var name = JsonFields.Text(owner, "name");
        return groupKind.Length == 0 ? name : groupKind.ToLowerInvariant() + "/" + name;
    }
}
