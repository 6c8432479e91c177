using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

[TestFixture]
public sealed class LogRecordTests
{
    [Test]
    public void EncodeEntries_SmallRecord_IsOneEntryThatDecodesBack()
    {
        var record = new LogRecord.Put(7, "/a", [1, 2, 3], 0);

        var entries = record.EncodeEntries().ToList();

        Assert.That(entries, Has.Count.EqualTo(1));
        var decoded = (LogRecord.Put)LogRecord.Decode(entries[0], entries[0].Length);
        Assert.That((decoded.Revision, decoded.Key, decoded.Value, decoded.Lease), Is.EqualTo((7L, "/a", new byte[] { 1, 2, 3 }, 0L)));
    }

    [Test]
    public void EncodeEntries_LargeRecord_SplitsIntoBoundedFragments()
    {
        var record = new LogRecord.Put(1, "/big", new byte[StoreLimits.MaxValueBytes], 0);

        var entries = record.EncodeEntries().ToList();

        Assert.That(entries, Has.Count.GreaterThan(1));
        Assert.That(entries.Select(e => e.Length), Has.All.LessThanOrEqualTo(LogRecord.MaxEntryBytes));
        Assert.That(entries.Select(e => LogRecord.Decode(e, e.Length)), Has.All.InstanceOf<LogRecord.Fragment>());
    }

    [Test]
    public void Decode_FlippedBit_IsRejected()
    {
        var entry = new LogRecord.Delete(3, "/gone").Encode();
        entry[5] ^= 0x01;

        Assert.That(() => LogRecord.Decode(entry, entry.Length), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("checksum"));
    }
}
