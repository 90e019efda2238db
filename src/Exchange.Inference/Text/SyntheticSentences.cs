namespace Exchange.Inference.Text;

/// <summary>
/// Deterministic English sentences on a few everyday topics, written from templates and a seeded
/// random, so that calibration, benchmarks, the demo and the semantic-search example exercise the
/// real text path without shipping or downloading a corpus. Sentence <c>i</c> is about
/// <c>Topics[i % Topics.Count]</c>.
/// </summary>
public static class SyntheticSentences
{
    private static readonly Topic[] All =
    [
        new(
            "cooking",
            ["The baker", "My grandmother", "A young chef", "The cook", "Our neighbour"],
            ["kneads the bread dough", "bakes a loaf of sourdough bread", "simmers a tomato soup", "roasts vegetables with olive oil", "whisks eggs for an omelette"],
            ["in a warm kitchen", "before breakfast", "for the family dinner", "with fresh herbs from the garden", "following an old recipe"]),
        new(
            "space",
            ["The astronaut", "A space telescope", "The rover", "The mission team", "An astronomer"],
            ["photographs a distant galaxy", "lands on the surface of Mars", "tracks a comet near the sun", "studies the rings of Saturn", "measures light from an exoplanet"],
            ["during a long night of observation", "from orbit around the planet", "after months of travel", "with a new infrared camera", "for the space agency"]),
        new(
            "finance",
            ["The central bank", "An investor", "The stock market", "A small company", "The accountant"],
            ["raises interest rates", "sells shares after a weak quarter", "falls sharply on inflation news", "reports record profits", "balances the annual budget"],
            ["to fight rising prices", "before the markets close", "as bond yields climb", "despite a slowing economy", "at the end of the fiscal year"]),
        new(
            "football",
            ["The striker", "The goalkeeper", "The home team", "The coach", "A young midfielder"],
            ["scores a late goal", "saves a penalty kick", "wins the championship final", "changes the tactics at half time", "passes the ball across the pitch"],
            ["in front of a roaring crowd", "in the last minute of the match", "after a tense extra time", "against their old rivals", "on a rainy Saturday afternoon"]),
        new(
            "weather",
            ["A heavy storm", "The morning fog", "A cold front", "The summer heat", "Thick snow"],
            ["brings strong winds and rain", "covers the valley", "drops temperatures below freezing", "keeps people indoors", "closes the mountain roads"],
            ["across the northern coast", "until late in the afternoon", "for the rest of the week", "according to the forecast", "during the holiday weekend"]),
        new(
            "computing",
            ["The programmer", "A database server", "The compiler", "Our web application", "The security team"],
            ["fixes a memory leak", "handles thousands of queries per second", "optimises the generated code", "crashes under heavy load", "patches a software vulnerability"],
            ["before the next release", "in the production cluster", "after a long debugging session", "with a small configuration change", "on the new cloud servers"]),
        new(
            "music",
            ["The orchestra", "A jazz pianist", "The rock band", "A young violinist", "The choir"],
            ["performs a symphony by Beethoven", "improvises a slow ballad", "plays their new album live", "practises scales for hours", "sings a traditional folk song"],
            ["in the concert hall", "at a small club downtown", "for a sold-out audience", "before the spring recital", "at the summer festival"]),
        new(
            "medicine",
            ["The doctor", "A nurse", "The surgeon", "The research lab", "A pharmacist"],
            ["examines a patient with a fever", "gives the child a vaccine", "repairs a torn knee ligament", "tests a new treatment for diabetes", "explains the side effects of a medicine"],
            ["at the city hospital", "during the night shift", "in a clinical trial", "after the blood test results", "at the local clinic"]),
        new(
            "travel",
            ["The tourist", "A backpacker", "The airline", "Our tour guide", "The family"],
            ["boards a night train to the coast", "explores the old town on foot", "cancels flights because of a strike", "shows the visitors an ancient temple", "books a hotel near the beach"],
            ["during the summer holidays", "with a map and a camera", "on the first day of the trip", "before the long journey home", "in a foreign country"]),
        new(
            "gardening",
            ["The gardener", "My father", "A farmer", "The volunteers", "Our neighbour"],
            ["plants tomato seedlings", "prunes the apple trees", "waters the vegetable beds", "spreads compost on the soil", "harvests ripe strawberries"],
            ["in early spring", "after a dry week", "behind the house", "in the community garden", "before the first frost"]),
    ];

    /// <summary>The topics, in the order sentences cycle through them.</summary>
    public static IReadOnlyList<string> Topics { get; } = All.Select(t => t.Name).ToArray();

    /// <summary>
    /// Writes <paramref name="count"/> sentences from <paramref name="seed"/>; the same arguments
    /// always give the same sentences. Each topic has 125 distinct sentences, dealt in a seeded
    /// order, so the first 1,250 sentences never repeat.
    /// </summary>
    public static IReadOnlyList<string> Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var orders = All.Select(topic =>
        {
            var combinations = (from s in topic.Subjects from a in topic.Actions from t in topic.Settings select $"{s} {a} {t}.").ToArray();
            random.Shuffle(combinations);
            return combinations;
        }).ToArray();
        var sentences = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var order = orders[i % All.Length];
            sentences.Add(order[(i / All.Length) % order.Length]);
        }

        return sentences;
    }

    private sealed record Topic(string Name, string[] Subjects, string[] Actions, string[] Settings);
}
