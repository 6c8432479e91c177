using System.Globalization;
using System.Text;
using k8s.Models;

namespace MiniKube.Controllers.Job;

/// <summary>
/// Completion indexes of an Indexed Job (pkg/controller/job/indexed_job_utils.go): a pod's index
/// from its annotation, and <c>status.completedIndexes</c> in its compressed form ("1,3-5,7").
/// </summary>
public static class CompletionIndexes
{
    public const string Annotation = "batch.kubernetes.io/job-completion-index";
    public const string EnvName = "JOB_COMPLETION_INDEX";

    /// <summary>The pod's completion index, or null when it has none or it is not a number.</summary>
    public static int? Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata.Annotations?.TryGetValue(Annotation, out var value) == true
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>The indexes <paramref name="text"/> lists, those below <paramref name="completions"/> only.</summary>
    public static SortedSet<int> Parse(string? text, int completions)
    {
        var set = new SortedSet<int>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var fromText = dash < 0 ? part : part[..dash];
            var toText = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                continue;
            }
            for (var i = from; i <= Math.Min(to, completions - 1); i++)
            {
                set.Add(i);
            }
        }
        return set;
    }

    /// <summary>Consecutive runs as "a-b", single ones as "a", joined by commas; "" when empty.</summary>
    public static string Format(IEnumerable<int> indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var text = new StringBuilder();
        int? start = null, last = null;
        foreach (var i in indexes.Order())
        {
            if (last is { } l && i == l + 1)
            {
                last = i;
                continue;
            }
            Append(text, start, last);
            start = last = i;
        }
        Append(text, start, last);
        return text.ToString();
    }

    private static void Append(StringBuilder text, int? start, int? last)
    {
        if (start is not { } s || last is not { } l)
        {
            return;
        }
        if (text.Length > 0)
        {
            text.Append(',');
        }
        text.Append(s.ToString(CultureInfo.InvariantCulture));
        if (l > s)
        {
            text.Append('-').Append(l.ToString(CultureInfo.InvariantCulture));
        }
    }
}
