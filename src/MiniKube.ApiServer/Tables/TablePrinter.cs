
namespace MiniKube.ApiServer.Tables;

/// <summary>
/// The columns of one kind and how a row's cells are computed from an object: cell by cell
/// (<see cref="TableCell"/>), or by one row function where the cells share work (a pod's status
/// summary, a custom resource's JSONPath columns). A printer always
/// emits every column, wide ones included, as kube-apiserver's TableConvertor does
/// (GenerateOptions{Wide: true}); kubectl drops priority-1 columns unless <c>-o wide</c>.
/// </summary>
internal sealed class TablePrinter
{
    private readonly Func<JsonObject, DateTimeOffset, JsonNode?[]> _cells;
    private readonly Func<JsonObject, JsonArray?>? _conditions;

    /// <param name="columns">The column definitions.</param>
    /// <param name="cells">One value per column: a string, a long, a boolean.</param>
    /// <param name="conditions">Optional row conditions (pods mark completed rows).</param>
    public TablePrinter(IReadOnlyList<TableColumn> columns, Func<JsonObject, DateTimeOffset, JsonNode?[]> cells, Func<JsonObject, JsonArray?>? conditions = null)
    {
        Columns = columns;
        _cells = cells;
        _conditions = conditions;
    }

    /// <param name="cells">The columns with their values, in order.</param>
    /// <param name="conditions">Optional row conditions.</param>
    public TablePrinter(IReadOnlyList<TableCell> cells, Func<JsonObject, JsonArray?>? conditions = null)
        : this([.. cells.Select(c => c.Column)], (obj, now) => [.. cells.Select(c => c.Value(obj, now))], conditions)
    {
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public JsonArray Cells(JsonObject obj, DateTimeOffset now)
    {
        var cells = _cells(obj, now);
        // A mismatch would make kubectl print cells under the wrong headers; fail loudly instead.
        if (cells.Length != Columns.Count)
        {
            throw new InvalidOperationException($"printer produced {cells.Length} cells for {Columns.Count} columns");
        }

        return new JsonArray(cells);
    }

    public JsonArray? Conditions(JsonObject obj) => _conditions?.Invoke(obj);
}
