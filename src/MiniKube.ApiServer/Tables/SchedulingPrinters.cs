using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of scheduling.k8s.io PriorityClasses, following printPriorityClass in kubernetes
/// pkg/printers/internalversion/printers.go of v1.32: the value as an integer and globalDefault
/// as a boolean cell, the preemption policy last.
/// </summary>
internal static class SchedulingPrinters
{
    public static TablePrinter PriorityClass { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Integer("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
            new TableColumn("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
            TableColumn.Age,
            TableColumn.Text("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
        ],
        (pc, now) =>
        [
            Cells.Name(pc),
            JsonFields.Integer(pc, "value") ?? 0,
            JsonFields.Boolean(pc, "globalDefault") ?? false,
            Cells.Age(pc, now),
            JsonFields.Text(pc, "preemptionPolicy"),
        ]);
}
