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
    public static TablePrinter Deployment { get; } = new(
        [
            TableCell.Name,
            ReadyOfDesired("Number of the pod with ready state"),
            TableCell.TextCount("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                d => JsonFields.Integer(d, "status", "updatedReplicas") ?? 0),
            TableCell.TextCount("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                d => JsonFields.Integer(d, "status", "availableReplicas") ?? 0),
            TableCell.Age,
            .. TemplateCells(PodSpec, d => SelectorString(JsonFields.Get(d, "spec", "selector"))),
        ]);

    public static TablePrinter ReplicaSet { get; } = ReplicaCounts(rs => Cells.Selector(JsonFields.Get(rs, "spec", "selector")));

    public static TablePrinter StatefulSet { get; } = new(
        [
            TableCell.Name,
            ReadyOfDesired("Number of the pod with ready state"),
            TableCell.Age,
            .. TemplateCells(PodSpec, selector: null),
        ]);

    public static TablePrinter DaemonSet { get; } = new(
        [
            TableCell.Name,
            Status("Desired", "The total number of nodes that should be running the daemon pod.", "desiredNumberScheduled"),
            Status("Current", "The number of nodes running at least one daemon pod and supposed to.", "currentNumberScheduled"),
            Status("Ready", "The number of nodes whose daemon pod is ready.", "numberReady"),
            Status("Up-to-date", "The number of nodes running the updated daemon pod.", "updatedNumberScheduled"),
            Status("Available", "The number of nodes whose daemon pod has been available for minReadySeconds.", "numberAvailable"),
            TableCell.Text("Node Selector", "The node selector of the pod template.", ds => Cells.Labels(JsonFields.Get(PodSpec(ds), "nodeSelector"))),
            TableCell.Age,
            .. TemplateCells(PodSpec, ds => Cells.Selector(JsonFields.Get(ds, "spec", "selector"))),
        ]);

    public static TablePrinter Job { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Status", "Status of the job.", JobStatus),
            TableCell.Text("Completions", "The number of pods which reached phase Succeeded.", JobCompletions),
            new(TableColumn.Text("Duration", "Time required to complete the job."), (job, now) => JobDuration(job, now)),
            TableCell.Age,
            .. TemplateCells(PodSpec, job => Cells.Selector(JsonFields.Get(job, "spec", "selector"))),
        ]);

    public static TablePrinter CronJob { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Schedule", "The schedule in Cron format.", cj => JsonFields.Text(cj, "spec", "schedule")),
            TableCell.Text("Timezone", "The time zone the schedule is read in.", cj => JsonFields.String(cj, "spec", "timeZone") ?? Cells.None),
            new(new TableColumn("Suspend", "boolean", "Whether later executions are suspended."), (cj, _) => Cells.OptionalBool(JsonFields.Boolean(cj, "spec", "suspend"))),
            TableCell.Integer("Active", "The number of currently running jobs.", cj => JsonFields.Count(cj, "status", "active")),
            new(TableColumn.Text("Last Schedule", "When the job was last successfully scheduled."), (cj, now) => JsonFields.Get(cj, "status", "lastScheduleTime") is null
                ? Cells.None
                : HumanDuration.Since(JsonFields.Time(cj, "status", "lastScheduleTime"), now)),
            TableCell.Age,
            .. TemplateCells(cj => JsonFields.Get(cj, "spec", "jobTemplate", "spec", "template", "spec"),
                cj => Cells.Selector(JsonFields.Get(cj, "spec", "jobTemplate", "spec", "selector"))),
        ]);

    // A replication controller's selector is a plain map, not a metav1.LabelSelector.
    public static TablePrinter ReplicationController { get; } = ReplicaCounts(rc => Cells.Labels(JsonFields.Get(rc, "spec", "selector")));

    public static TablePrinter ControllerRevision { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Controller", "Controller of the object", Controller),
            TableCell.TextCount("Revision", "The revision this object represents.", cr => JsonFields.Integer(cr, "revision") ?? 0),
            TableCell.Age,
        ]);

    // ReplicaSet and ReplicationController print the same counts and differ only in their selector's shape.
    private static TablePrinter ReplicaCounts(Func<JsonObject, string> selector) => new(
        [
            TableCell.Name,
            TableCell.Integer("Desired", "Number of desired pods.", DesiredReplicas),
            Status("Current", "The number of pods that currently exist.", "replicas"),
            Status("Ready", "The number of ready pods.", "readyReplicas"),
            TableCell.Age,
            .. TemplateCells(PodSpec, selector),
        ]);

    // The wide columns every pod-owning kind ends with: its template's containers and images, then its selector (StatefulSets print none).
    private static TableCell[] TemplateCells(Func<JsonObject, JsonNode?> podSpec, Func<JsonObject, string>? selector)
    {
        TableCell[] containers =
        [
            TableCell.Text("Containers", "Names of each container in the template.", obj => Cells.ContainerNames(podSpec(obj)), 1),
            TableCell.Text("Images", "Images referenced by each container in the template.", obj => Cells.ContainerImages(podSpec(obj)), 1),
        ];
        return selector is null
            ? containers
            : [.. containers, TableCell.Text("Selector", "The label selector that picks the pods this object manages.", selector, 1)];
    }

    private static JsonNode? PodSpec(JsonObject obj) => JsonFields.Get(obj, "spec", "template", "spec");

    // Ready replicas out of the desired count, as "ready/desired".
    private static TableCell ReadyOfDesired(string description) =>
        TableCell.Text("Ready", description, obj => Ratio(JsonFields.Integer(obj, "status", "readyReplicas") ?? 0, DesiredReplicas(obj)));

    // An integer count from status, 0 while unset.
    private static TableCell Status(string name, string description, string field) =>
        TableCell.Integer(name, description, obj => JsonFields.Integer(obj, "status", field) ?? 0);

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
