namespace MiniKube.Scheduler.Framework;

/// <summary>
/// How many feasible nodes a decision looks for before it stops filtering and scores what it has
/// (upstream schedule_one.go numFeasibleNodesToFind with percentageOfNodesToScore unset): all
/// nodes up to 100; beyond, an adaptive share of 50% minus 1% per 125 nodes, at least 5% and at
/// least 100 nodes. 1,000 nodes → 420.
/// </summary>
internal static class FeasibleNodeCount
{
    private const int MinFeasibleNodes = 100;
    private const int MinFeasibleNodesPercentage = 5;

    public static int For(int allNodes)
    {
        if (allNodes < MinFeasibleNodes)
        {
            return allNodes;
        }
        var percentage = Math.Max(MinFeasibleNodesPercentage, 50 - (allNodes / 125));
        var count = (int)((long)allNodes * percentage / 100);
        return Math.Max(count, MinFeasibleNodes);
    }
}
