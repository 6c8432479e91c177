namespace MiniKube.ApiServer.Tests.Cel;

public class KubernetesLibraryTests
{
    private const string Self = """
        {"name": "Hello-World", "memory": "1Gi", "limit": "1500Mi", "cpu": "500m", "endpoint": "https://user@example.com:8443/a%20b/c?x=1&x=2&y=z",
         "ip": "10.0.0.5", "cidr": "10.0.0.0/24", "v6": "fe80::1", "items": [3, 1, 2], "sorted": ["a", "b", "c"], "letters": ["a", "b"]}
        """;

    private static string? Json(string expression) => CelNetEngineTests.Json(expression, Self);

    // strings (cel-go ext/strings)
    [TestCase("self.name.lowerAscii()", "\"hello-world\"")]
    [TestCase("self.name.upperAscii()", "\"HELLO-WORLD\"")]
    [TestCase("self.name.replace('l', 'L')", "\"HeLLo-WorLd\"")]
    [TestCase("self.name.replace('l', 'L', 1)", "\"HeLlo-World\"")]
    [TestCase("self.name.split('-')", "[\"Hello\",\"World\"]")]
    [TestCase("'a,b,c'.split(',', 2)", "[\"a\",\"b,c\"]")]
    [TestCase("self.letters.join()", "\"ab\"")]
    [TestCase("self.letters.join('/')", "\"a/b\"")]
    [TestCase("self.name.substring(6)", "\"World\"")]
    [TestCase("self.name.substring(0, 5)", "\"Hello\"")]
    [TestCase("'  x '.trim()", "\"x\"")]
    [TestCase("self.name.indexOf('o')", "4")]
    [TestCase("self.name.indexOf('o', 5)", "7")]
    [TestCase("self.name.lastIndexOf('o')", "7")]
    [TestCase("self.name.charAt(1)", "\"e\"")]
    [TestCase("'héllo'.size()", "5")]
    [TestCase("'%s has %d items (%.2f)'.format([self.name, 3, 1.5])", "\"Hello-World has 3 items (1.50)\"")]
    [TestCase("strings.quote('ab') == '\"ab\"'", "true")]
    // regex
    [TestCase("self.name.matches('^[A-Z][a-z]+-')", "true")]
    [TestCase("self.name.find('[A-Z][a-z]+')", "\"Hello\"")]
    [TestCase("self.name.findAll('[A-Z]')", "[\"H\",\"W\"]")]
    [TestCase("self.name.findAll('[a-z]', 2)", "[\"e\",\"l\"]")]
    [TestCase("self.name.find('x+')", "\"\"")]
    // lists
    [TestCase("self.items.sum()", "6")]
    [TestCase("self.items.min()", "1")]
    [TestCase("self.items.max()", "3")]
    [TestCase("self.items.isSorted()", "false")]
    [TestCase("self.sorted.isSorted()", "true")]
    [TestCase("self.items.indexOf(2)", "2")]
    [TestCase("[1, 2, 1].lastIndexOf(1)", "2")]
    [TestCase("[1.5, 2.5].sum()", "4")]
    // sets
    [TestCase("sets.contains(self.sorted, ['a', 'c'])", "true")]
    [TestCase("sets.contains(self.sorted, ['d'])", "false")]
    [TestCase("sets.equivalent([1, 2, 2], [2, 1])", "true")]
    [TestCase("sets.intersects(self.letters, ['b', 'x'])", "true")]
    [TestCase("sets.intersects(self.letters, ['x'])", "false")]
    // url
    [TestCase("url(self.endpoint).getScheme()", "\"https\"")]
    [TestCase("url(self.endpoint).getHost()", "\"example.com:8443\"")]
    [TestCase("url(self.endpoint).getHostname()", "\"example.com\"")]
    [TestCase("url(self.endpoint).getPort()", "\"8443\"")]
    [TestCase("url(self.endpoint).getEscapedPath()", "\"/a%20b/c\"")]
    [TestCase("url(self.endpoint).getQuery()", "{\"x\":[\"1\",\"2\"],\"y\":[\"z\"]}")]
    [TestCase("url('https://[::1]:80/').getHostname()", "\"::1\"")]
    [TestCase("isURL(self.endpoint) && isURL('/path') && !isURL('not a url')", "true")]
    // quantity
    [TestCase("quantity(self.memory).isLessThan(quantity(self.limit))", "true")]
    [TestCase("quantity(self.memory).isGreaterThan(quantity('1G'))", "true")]
    [TestCase("quantity(self.memory).compareTo(quantity('1024Mi'))", "0")]
    [TestCase("quantity(self.cpu).add(quantity('500m')).asInteger()", "1")]
    [TestCase("quantity(self.cpu).asApproximateFloat()", "0.5")]
    [TestCase("quantity(self.cpu).isInteger()", "false")]
    [TestCase("quantity('2').sub(3).sign()", "-1")]
    [TestCase("isQuantity(self.memory) && !isQuantity('12zz')", "true")]
    // ip and cidr
    [TestCase("isIP(self.ip) && !isIP('10.0.0.256') && !isIP('010.0.0.1')", "true")]
    [TestCase("ip(self.ip).family()", "4")]
    [TestCase("ip(self.v6).family()", "6")]
    [TestCase("ip(self.v6).isLinkLocalUnicast()", "true")]
    [TestCase("ip('127.0.0.1').isLoopback()", "true")]
    [TestCase("ip(self.ip).isGlobalUnicast()", "true")]
    [TestCase("ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')", "true")]
    [TestCase("cidr(self.cidr).containsIP(self.ip)", "true")]
    [TestCase("cidr(self.cidr).containsIP(ip('10.0.1.1'))", "false")]
    [TestCase("cidr(self.cidr).containsCIDR('10.0.0.128/25')", "true")]
    [TestCase("cidr('10.0.0.7/24').masked().ip().string()", "\"10.0.0.0\"")]
    [TestCase("cidr(self.cidr).prefixLength()", "24")]
    [TestCase("isCIDR(self.cidr) && !isCIDR('10.0.0.0/33')", "true")]
    // format
    [TestCase("format.dns1123Label().validate('web-1').hasValue()", "false")]
    [TestCase("format.dns1123Label().validate(self.name).hasValue()", "true")]
    [TestCase("format.named('dns1123Subdomain').value().validate('a.b').hasValue()", "false")]
    [TestCase("format.named('noSuchFormat').hasValue()", "false")]
    [TestCase("format.dns1123LabelPrefix().validate('web-').hasValue()", "false")]
    // optionals
    [TestCase("self.?missing.orValue('none')", "\"none\"")]
    [TestCase("self.?name.orValue('none')", "\"Hello-World\"")]
    [TestCase("optional.of(1).value()", "1")]
    [TestCase("optional.none().or(optional.of(2)).value()", "2")]
    public void Function_Result_AsUpstream(string expression, string expected)
    {
        Assert.That(Json(expression), Is.EqualTo(expected), expression);
    }

    [TestCase("quantity('12zz') == null", "quantities must match the regular expression")]
    [TestCase("ip('10.0.0.256') == null", "IP Address \"10.0.0.256\" parse error during conversion from string")]
    [TestCase("url('no scheme') == null", "URL parse error during conversion from string")]
    [TestCase("[].min() == 1", "min called on empty list")]
    [TestCase("quantity('1.5').asInteger() == 1", "cannot convert value to integer")]
    [TestCase("self.name.matches('(a)\\\\1')", "error parsing regexp")]
    [TestCase("optional.none().value() == 1", "optional.none() dereference")]
    public void Function_BadInput_EvaluationError(string expression, string expected)
    {
        var outcome = CelNetEngineTests.Eval(expression, Self);

        Assert.That(outcome.Error, Does.StartWith(expected));
    }

    [Test]
    public void Matches_CatastrophicPattern_StaysLinear()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var outcome = CelNetEngineTests.Eval("self.matches('^(a+)+$')", "\"" + new string('a', 5000) + "!\"");

        Assert.That(outcome.IsTrue, Is.False);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
    }
}
