using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Jobs (pkg/registry/batch/job/strategy.go): on create, unless manualSelector, the template is
/// labelled with the Job's uid and name and selected on the uid; status belongs to /status.
/// </summary>
public sealed class JobStrategy : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj)
    {
        WorkloadDefaults.JobOnCreate(obj);
        base.PrepareForCreate(obj);
    }
}
