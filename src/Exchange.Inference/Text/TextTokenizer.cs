using System.Collections.Concurrent;
using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Microsoft.ML.Tokenizers;

namespace Exchange.Inference.Text;

/// <summary>
/// A card's <see cref="TextPreprocessing"/> applied: BERT WordPiece tokenization
/// (<c>Microsoft.ML.Tokenizers</c>' <see cref="BertTokenizer"/> over the card's vocabulary), cut and
/// padded to the card's length, as the input tensors of one task. Thread-safe.
/// </summary>
public sealed class TextTokenizer
{
    private static readonly ConcurrentDictionary<TextPreprocessing, Lazy<TextTokenizer>> Cache = new();

    /// <summary>
    /// Whether this process decomposes Unicode (NFD), which stripping accents needs. A process in
    /// invariant globalization mode (no ICU) leaves "é" whole, so the tokenizer would see a
    /// different word than the model was trained on.
    /// </summary>
    private static readonly bool CanStripAccents = "\u00e9".Normalize(NormalizationForm.FormD).Length == 2;

    private readonly BertTokenizer _bert;

    private TextTokenizer(TextPreprocessing preprocessing, BertTokenizer bert)
    {
        Preprocessing = preprocessing;
        _bert = bert;
    }

    /// <summary>The rules this tokenizer applies.</summary>
    public TextPreprocessing Preprocessing { get; }

    /// <summary>The id of <c>[PAD]</c>.</summary>
    public int PaddingId => _bert.PaddingTokenId;

    /// <summary>The id of <c>[CLS]</c>, the first token of every sequence.</summary>
    public int ClassificationId => _bert.ClassificationTokenId;

    /// <summary>The id of <c>[SEP]</c>, the last real token of every sequence.</summary>
    public int SeparatorId => _bert.SeparatorTokenId;

    /// <summary>Builds a tokenizer from the vocabulary file's bytes, checked against the hash the card pins.</summary>
    /// <exception cref="InvalidDataException">The bytes are not the card's vocabulary.</exception>
    public static TextTokenizer Create(TextPreprocessing preprocessing, byte[] vocabulary)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var hash = Keccak.Hash(vocabulary);
        if (hash != preprocessing.Vocab.Keccak256)
        {
            throw new InvalidDataException($"The vocabulary {preprocessing.Vocab.File} hashes to {hash}, not {preprocessing.Vocab.Keccak256} as the card says.");
        }

        using var stream = new MemoryStream(vocabulary, writable: false);
        var bert = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = preprocessing.LowerCase,
            // BERT's uncased tokenizer strips accents whenever it lower-cases.
            RemoveNonSpacingMarks = preprocessing.LowerCase,
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = true,
        });
        return new TextTokenizer(preprocessing, bert);
    }

    /// <summary>The tokenizer of a card with <c>text</c> preprocessing; built once per vocabulary and rules.</summary>
    /// <exception cref="FormatException">The card's preprocessing is not <c>text</c> or does not fit its inputs.</exception>
    /// <exception cref="FileNotFoundException">Neither the program nor the registry's store holds the vocabulary.</exception>
    public static TextTokenizer For(ModelRegistry registry, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(card);
        var preprocessing = TextPreprocessing.From(card.Preprocessing);
        preprocessing.CheckInputs(card);
        var lazy = Cache.GetOrAdd(preprocessing, p => new Lazy<TextTokenizer>(() => Create(p, registry.ReadAsset(p.Vocab.Keccak256))));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A missing vocabulary may be added to the store later: do not remember the failure.
            Cache.TryRemove(new KeyValuePair<TextPreprocessing, Lazy<TextTokenizer>>(preprocessing, lazy));
            throw;
        }
    }

    /// <summary>Tokenizes one text: <c>[CLS]</c>, its WordPiece ids (cut so the sequence fits), <c>[SEP]</c>, then padding.</summary>
    /// <exception cref="NotSupportedException">The text is not ASCII, the card strips accents, and this process cannot (it runs without ICU).</exception>
    public TokenizedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Preprocessing.LowerCase && !CanStripAccents && !Ascii.IsValid(text))
        {
            throw new NotSupportedException(
                "This process runs in invariant globalization mode, so it cannot strip accents as the card's uncased tokenizer must; "
                + "only ASCII text can be tokenized here (programs that tokenize set InvariantGlobalization to false and need ICU).");
        }

        var max = Preprocessing.MaxLength;
        var pieces = _bert.EncodeToIds(text, addSpecialTokens: false);
        var kept = Math.Min(pieces.Count, max - 2);
        var ids = new long[max];
        var mask = new long[max];
        ids[0] = ClassificationId;
        for (var i = 0; i < kept; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[kept + 1] = SeparatorId;
        for (var i = kept + 2; i < max; i++)
        {
            ids[i] = PaddingId;
        }

        mask.AsSpan(0, kept + 2).Fill(1);
        return new TokenizedText(ids, mask, kept + 2, pieces.Count > kept);
    }

    /// <summary>The input tensors of one task for <paramref name="card"/>, in the card's order, each <c>[1, maxLength]</c>.</summary>
    public Tensor[] ToInputs(ModelCard card, TokenizedText tokens)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(tokens);
        return card.Inputs.Select(spec =>
        {
            var values = spec.Name == Preprocessing.IdsInput ? tokens.Ids
                : spec.Name == Preprocessing.MaskInput ? tokens.Mask
                : spec.Name == Preprocessing.TypeIdsInput ? new long[tokens.Ids.Length]
                : throw new FormatException($"text preprocessing does not fill input '{spec.Name}'");
            return spec.DType == TensorDType.Int32
                ? Tensor.Create<int>(values.Select(v => (int)v).ToArray(), 1, values.Length)
                : Tensor.Create<long>(values, 1, values.Length);
        }).ToArray();
    }

    /// <summary>Tokenizes a text into the input tensors of one task for <paramref name="card"/>.</summary>
    public Tensor[] ToInputs(ModelCard card, string text) => ToInputs(card, Encode(text));

    /// <summary>The text of token ids, special tokens and padding left out (lower-cased and re-joined as the vocabulary spells it).</summary>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _bert.Decode(ids.Select(id => (int)id), skipSpecialTokens: true);
    }

}
