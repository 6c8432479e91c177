namespace MiniKube.Api.Tests;

public class ResourceListTests
{
    private static ResourceList List(params (string Name, string Amount)[] items) =>
        new(items.Select(i => KeyValuePair.Create(i.Name, ExactQuantity.TryParse(i.Amount, out var q) ? q : throw new ArgumentException(i.Amount))));

    [Test]
    public void Plus_KeepsTheFirstFormat_UnlessItIsZero()
    {
        var sum = List(("memory", "100Mi"), ("cpu", "0"), ("pods", "1")).Plus(List(("memory", "28Mi"), ("cpu", "250m"), ("secrets", "2")));

        Assert.That(sum.ToString(), Is.EqualTo("cpu=250m,memory=128Mi,pods=1,secrets=2"));
    }

    [Test]
    public void Plus_BinaryThatNoLongerDivides_FallsBackToDecimal() =>
        Assert.That(List(("memory", "1Mi")).Plus(List(("memory", "1"))).ToString(), Is.EqualTo("memory=1048577"));

    [Test]
    public void MinusNonNegative_NeverBelowZero() =>
        Assert.That(List(("cpu", "1"), ("pods", "1")).MinusNonNegative(List(("cpu", "2"))).ToString(), Is.EqualTo("cpu=0,pods=1"));

    [Test]
    public void Exceeding_OnlyNamesWithALimit()
    {
        var used = List(("pods", "3"), ("cpu", "2"), ("secrets", "9"));

        Assert.That(used.Exceeding(List(("pods", "2"), ("cpu", "2"))), Is.EqualTo(new[] { "pods" }));
    }

    [Test]
    public void MaskWithoutZerosNegative_FilterByNameAndAmount()
    {
        var list = List(("a", "0"), ("b", "-1"), ("c", "2"));

        Assert.Multiple(() =>
        {
            Assert.That(list.Mask(["a", "c", "x"]).ToString(), Is.EqualTo("a=0,c=2"));
            Assert.That(list.WithoutZeros().ToString(), Is.EqualTo("b=-1,c=2"));
            Assert.That(list.Negative(), Is.EqualTo(new[] { "b" }));
            Assert.That(list.SameAs(List(("a", "0"), ("b", "-1000m"), ("c", "2"))), Is.True);
        });
    }
}
