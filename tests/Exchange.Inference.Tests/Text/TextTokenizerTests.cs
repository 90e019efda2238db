using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Inference.Text;
using Exchange.Inference.Tests.Support;

namespace Exchange.Inference.Tests.Text;

[Collection(EngineGroup.Name)]
public class TextTokenizerTests(EngineFixture fixture)
{
    private ModelCard Card => fixture.MiniLm.Card;

    private TextTokenizer Tokenizer => TextTokenizer.For(fixture.Registry, Card);

    [Fact]
    public void Encodes_a_sentence_as_the_uncased_BERT_vocabulary_numbers_it_then_pads()
    {
        var tokens = Tokenizer.Encode("Hello, world!");

        // [CLS] hello , world ! [SEP] in bert-base-uncased's vocabulary, which MiniLM shares.
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], tokens.Ids.Take(6));
        Assert.All(tokens.Ids.Skip(6), id => Assert.Equal(0, id));
        Assert.Equal(Enumerable.Repeat(1L, 6).Concat(Enumerable.Repeat(0L, 122)), tokens.Mask);
        Assert.Equal(6, tokens.Length);
        Assert.False(tokens.Truncated);
        Assert.Equal(BuiltInModels.MiniLmMaxLength, tokens.Ids.Length);
    }

    [Fact]
    public void Every_whole_word_of_the_vocabulary_encodes_to_its_own_line_number()
    {
        var lines = File.ReadAllLines(Path.Combine(BuiltInModels.Folder, "MiniLM-vocab.txt"));
        var words = lines.Select((token, id) => (token, id)).Where(t => t.token.Length > 1 && t.token.All(char.IsAsciiLetterLower)).ToList();

        Assert.True(words.Count > 15_000, $"{words.Count} whole words");
        Assert.All(words, w => Assert.Equal([101, w.id, 102], Tokenizer.Encode(w.token).Ids.Take(3).Select(id => (int)id)));
    }

    [Fact]
    public void Splits_unknown_words_into_word_pieces_and_decodes_back_to_the_text()
    {
        const string text = "tokenization of unbelievably long words";
        var tokens = Tokenizer.Encode(text);

        Assert.True(tokens.Length > text.Split(' ').Length + 2, "some words split into pieces");
        Assert.Equal(text, Tokenizer.Decode(tokens.Ids));
    }

    [Fact]
    public void Lower_cases_and_strips_accents_as_the_uncased_tokenizer_does()
    {
        Assert.Equal(Tokenizer.Encode("cafe naive resume").Ids, Tokenizer.Encode("Café Naïve RÉSUMÉ").Ids);
    }

    [Fact]
    public void Cuts_a_long_text_to_the_card_length_and_keeps_the_separator_last()
    {
        var tokens = Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("word", 300)));

        Assert.True(tokens.Truncated);
        Assert.Equal(BuiltInModels.MiniLmMaxLength, tokens.Length);
        Assert.Equal(101, tokens.Ids[0]);
        Assert.Equal(102, tokens.Ids[^1]);
        Assert.All(tokens.Mask, m => Assert.Equal(1, m));
    }

    [Fact]
    public void Empty_text_is_the_two_special_tokens()
    {
        var tokens = Tokenizer.Encode("");

        Assert.Equal([101, 102, 0], tokens.Ids.Take(3));
        Assert.Equal(2, tokens.Length);
    }

    [Fact]
    public void Inputs_are_int64_rows_of_the_card_length_in_the_card_order()
    {
        var inputs = Tokenizer.ToInputs(Card, "Hello, world!");

        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], Card.Inputs.Select(i => i.Name));
        Assert.All(inputs, t => Assert.Equal("int64[1, 128]", t.ToString()));
        Assert.All(inputs.Select((t, i) => Card.Inputs[i].Mismatch(t)), Assert.Null);
        Assert.Equal(7592, inputs[0].AsInt64()[1]);
        Assert.Equal(6, inputs[1].AsInt64().ToArray().Sum());
        Assert.All(inputs[2].AsInt64().ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_vocabulary_that_is_not_the_card_one_is_refused()
    {
        var preprocessing = TextPreprocessing.From(Card.Preprocessing);

        var error = Assert.Throws<InvalidDataException>(() => TextTokenizer.Create(preprocessing, "[PAD]\n[UNK]\n"u8.ToArray()));

        Assert.Contains(preprocessing.Vocab.Keccak256.ToString(), error.Message);
    }

    [Fact]
    public void The_card_states_tokenizer_length_padding_and_vocabulary_hash()
    {
        var json = Card.Preprocessing.ToJsonElement();
        var vocabulary = File.ReadAllBytes(Path.Combine(BuiltInModels.Folder, "MiniLM-vocab.txt"));

        Assert.Equal("text", json.GetProperty("kind").GetString());
        Assert.Equal("bert-wordpiece", json.GetProperty("tokenizer").GetString());
        Assert.Equal(128, json.GetProperty("maxLength").GetInt32());
        Assert.Equal("max_length", json.GetProperty("padding").GetString());
        Assert.Equal("end", json.GetProperty("truncation").GetString());
        Assert.Equal(Keccak.Hash(vocabulary).ToString(), json.GetProperty("vocab").GetProperty("keccak256").GetString());
    }

    [Theory]
    [InlineData("""{"kind":"text","tokenizer":"sentencepiece"}""", "tokenizer")]
    [InlineData("""{"kind":"text","tokenizer":"bert-wordpiece","padding":"longest"}""", "padding")]
    [InlineData("""{"kind":"text","tokenizer":"bert-wordpiece","padding":"max_length","truncation":"end","maxLength":2,"lowercase":true}""", "maxLength")]
    [InlineData("""{"kind":"text","tokenizer":"bert-wordpiece","padding":"max_length","truncation":"end","maxLength":16,"lowercase":true,"extra":1}""", "extra")]
    public void Invalid_text_preprocessing_names_the_field(string json, string field)
    {
        var error = Assert.Throws<FormatException>(() => TextPreprocessing.From(Preprocessing.Parse(json)));

        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void Synthetic_sentences_are_the_same_for_the_same_seed_and_cycle_the_topics()
    {
        var sentences = SyntheticSentences.Generate(30, 7);

        Assert.Equal(sentences, SyntheticSentences.Generate(30, 7));
        Assert.NotEqual(sentences, SyntheticSentences.Generate(30, 8));
        Assert.All(sentences, s => Assert.EndsWith(".", s));
        Assert.Equal(10, SyntheticSentences.Topics.Count);
    }
}
