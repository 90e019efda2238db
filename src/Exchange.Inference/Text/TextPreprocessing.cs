using System.Text.Json;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;

namespace Exchange.Inference.Text;

/// <summary>
/// The <c>text</c> preprocessing kind of a model card: BERT WordPiece tokenization over a
/// vocabulary pinned by its keccak256, <c>[CLS] tokens… [SEP]</c> cut at <see cref="MaxLength"/>
/// tokens (the end of a longer text is dropped), then padded with <c>[PAD]</c> to exactly
/// <see cref="MaxLength"/>; the attention mask is 1 on real tokens and 0 on padding, the token
/// types all 0. JSON:
/// <c>{"kind":"text","tokenizer":"bert-wordpiece","vocab":{"file":"vocab.txt","keccak256":"0x…"},"lowercase":true,"maxLength":128,"padding":"max_length","truncation":"end","inputs":{"ids":"input_ids","mask":"attention_mask","typeIds":"token_type_ids"}}</c>
/// (<c>typeIds</c> only for graphs that take token types). Lower-casing also strips accents and
/// splits CJK characters apart, as BERT's uncased tokenizer does.
/// </summary>
/// <param name="Vocab">The vocabulary file (one token per line, the line number is the id).</param>
/// <param name="LowerCase">Whether text is lower-cased (and accents stripped) before tokenization.</param>
/// <param name="MaxLength">The sequence length every input is padded or cut to, special tokens included.</param>
/// <param name="IdsInput">The graph input that takes the token ids.</param>
/// <param name="MaskInput">The graph input that takes the attention mask.</param>
/// <param name="TypeIdsInput">The graph input that takes the token type ids, or null when the graph has none.</param>
public sealed record TextPreprocessing(ModelFile Vocab, bool LowerCase, int MaxLength, string IdsInput, string MaskInput, string? TypeIdsInput)
{
    /// <summary>The <c>kind</c> value of this preprocessing.</summary>
    public const string Kind = "text";

    /// <summary>The one tokenizer supported: BERT's WordPiece.</summary>
    public const string Tokenizer = "bert-wordpiece";

    /// <summary>The one padding supported: every sequence padded to <see cref="MaxLength"/>.</summary>
    public const string Padding = "max_length";

    /// <summary>The one truncation supported: tokens past <see cref="MaxLength"/> dropped from the end.</summary>
    public const string Truncation = "end";

    /// <summary>The longest sequence a card may declare.</summary>
    public const int MaxSupportedLength = 4096;

    private static readonly string[] KnownFields = ["kind", "tokenizer", "vocab", "lowercase", "maxLength", "padding", "truncation", "inputs"];
    private static readonly string[] KnownInputs = ["ids", "mask", "typeIds"];

    /// <summary>The graph inputs this preprocessing fills, ids first.</summary>
    public IReadOnlyList<string> InputNames => TypeIdsInput is null ? [IdsInput, MaskInput] : [IdsInput, MaskInput, TypeIdsInput];

    /// <summary>The JSON object for a card.</summary>
    public Preprocessing ToPreprocessing()
    {
        var inputs = new Dictionary<string, string> { ["ids"] = IdsInput, ["mask"] = MaskInput };
        if (TypeIdsInput is not null)
        {
            inputs["typeIds"] = TypeIdsInput;
        }

        return Preprocessing.Parse(JsonSerializer.Serialize(new
        {
            kind = Kind,
            tokenizer = Tokenizer,
            vocab = new { file = Vocab.File, keccak256 = Vocab.Keccak256.ToString() },
            lowercase = LowerCase,
            maxLength = MaxLength,
            padding = Padding,
            truncation = Truncation,
            inputs,
        }));
    }

    /// <summary>Reads the text preprocessing of a card.</summary>
    /// <exception cref="FormatException">The card's preprocessing is not a valid <c>text</c> object.</exception>
    public static TextPreprocessing From(Preprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (preprocessing.Kind != Kind)
        {
            throw new FormatException($"preprocessing kind is \"{preprocessing.Kind}\", not \"{Kind}\"");
        }

        var json = preprocessing.ToJsonElement();
        RequireKnown(json, KnownFields, "text preprocessing");
        Require(json, "tokenizer", Tokenizer);
        Require(json, "padding", Padding);
        Require(json, "truncation", Truncation);
        var maxLength = json.TryGetProperty("maxLength", out var m) && m.TryGetInt32(out var length) && length is >= 3 and <= MaxSupportedLength
            ? length
            : throw new FormatException($"text preprocessing needs \"maxLength\", a whole number of tokens from 3 to {MaxSupportedLength}");
        var lowerCase = json.TryGetProperty("lowercase", out var l) && l.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? l.GetBoolean()
            : throw new FormatException("text preprocessing needs \"lowercase\": true or false");

        if (!json.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("text preprocessing needs \"inputs\": {\"ids\": NAME, \"mask\": NAME, \"typeIds\": NAME (optional)}");
        }

        RequireKnown(inputs, KnownInputs, "text preprocessing \"inputs\"");
        return new TextPreprocessing(
            ReadVocab(json),
            lowerCase,
            maxLength,
            InputName(inputs, "ids") ?? throw new FormatException("text preprocessing \"inputs\" needs \"ids\""),
            InputName(inputs, "mask") ?? throw new FormatException("text preprocessing \"inputs\" needs \"mask\""),
            InputName(inputs, "typeIds"));
    }

    /// <summary>Checks that the card's inputs are exactly the ones this preprocessing fills, as int64 or int32 <c>[batch, maxLength]</c>.</summary>
    /// <exception cref="FormatException">They are not.</exception>
    public void CheckInputs(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var names = InputNames;
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new FormatException($"text preprocessing names one graph input twice: {string.Join(", ", names)}");
        }

        if (card.Inputs.Count != names.Count || names.Any(n => card.Inputs.All(i => i.Name != n)))
        {
            throw new FormatException($"text preprocessing fills the inputs {string.Join(", ", names)}, but the card's are {string.Join(", ", card.Inputs.Select(i => i.Name))}");
        }

        foreach (var spec in card.Inputs)
        {
            var fits = spec.DType is TensorDType.Int64 or TensorDType.Int32
                && spec.Shape.Count == 2 && spec.Shape[0] == TensorSpec.DynamicDimension && spec.Shape[1] == MaxLength;
            if (!fits)
            {
                throw new FormatException($"text preprocessing needs input '{spec.Name}' as int64 or int32 [?, {MaxLength}], the card has {spec}");
            }
        }
    }

    private static ModelFile ReadVocab(JsonElement json)
    {
        if (!json.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("text preprocessing needs \"vocab\": {\"file\": NAME, \"keccak256\": HASH}");
        }

        RequireKnown(vocab, ["file", "keccak256"], "text preprocessing \"vocab\"");
        var file = vocab.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() is { Length: > 0 } name && name.AsSpan().IndexOfAny('/', '\\') < 0
            ? name
            : throw new FormatException("text preprocessing \"vocab\" needs \"file\", a plain file name");
        return vocab.TryGetProperty("keccak256", out var h) && h.ValueKind == JsonValueKind.String && Bytes32.TryParse(h.GetString(), out var hash)
            ? new ModelFile(file, hash)
            : throw new FormatException("text preprocessing \"vocab\" needs \"keccak256\", 0x and 64 hex digits");
    }

    private static string? InputName(JsonElement inputs, string role) =>
        !inputs.TryGetProperty(role, out var value) ? null
        : value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } name ? name
        : throw new FormatException($"text preprocessing \"inputs\".\"{role}\" must be a graph input's name");

    private static void Require(JsonElement json, string field, string expected)
    {
        var value = json.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (value != expected)
        {
            throw new FormatException($"text preprocessing \"{field}\" must be \"{expected}\" (the only one supported), found {(value is null ? "none" : $"\"{value}\"")}");
        }
    }

    private static void RequireKnown(JsonElement json, string[] known, string what)
    {
        foreach (var property in json.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw new FormatException($"{what} has the unknown field \"{property.Name}\"; known: {string.Join(", ", known)}");
            }
        }
    }
}
