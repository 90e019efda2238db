using System.Collections.Immutable;
using System.Globalization;

namespace Exchange.Core.Tensors;

/// <summary>
/// Parses the Python dict literal of a <c>.npy</c> header, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (1, 512), }</c>, without evaluating anything.
/// </summary>
internal sealed class NpyHeaderParser
{
    private const string DescrKey = "descr";
    private const string FortranOrderKey = "fortran_order";
    private const string ShapeKey = "shape";

    private readonly string _text;
    private int _pos;

    private NpyHeaderParser(string text) => _text = text;

    internal sealed record Header(string Descr, bool FortranOrder, ImmutableArray<long> Shape);

    public static Header Parse(string text) => new NpyHeaderParser(text).ParseDict();

    private Header ParseDict()
    {
        string? descr = null;
        bool? fortranOrder = null;
        ImmutableArray<long>? shape = null;
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (Peek() == '}')
            {
                _pos++;
                break;
            }

            var key = ParseString();
            Expect(':');
            switch (key)
            {
                case DescrKey when descr is null:
                    SkipSpace();
                    if (Peek() != '\'' && Peek() != '"')
                    {
                        throw Error("structured or sub-array dtypes are not supported; 'descr' must be a type string");
                    }

                    descr = ParseString();
                    break;
                case FortranOrderKey when fortranOrder is null:
                    fortranOrder = ParseBool();
                    break;
                case ShapeKey when shape is null:
                    shape = ParseTuple();
                    break;
                case DescrKey or FortranOrderKey or ShapeKey:
                    throw Error($"key '{key}' appears twice");
                default:
                    throw Error($"unexpected key '{key}'; a header has exactly 'descr', 'fortran_order' and 'shape'");
            }

            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
            }
            else if (Peek() != '}')
            {
                throw Error("expected ',' or '}' after a value");
            }
        }

        SkipSpace();
        if (_pos != _text.Length)
        {
            throw Error("unexpected text after the closing '}'");
        }

        return new Header(
            descr ?? throw Error("missing key 'descr'"),
            fortranOrder ?? throw Error("missing key 'fortran_order'"),
            shape ?? throw Error("missing key 'shape'"));
    }

    private string ParseString()
    {
        SkipSpace();
        var quote = Peek();
        if (quote != '\'' && quote != '"')
        {
            throw Error("expected a quoted string");
        }

        var end = _text.IndexOf(quote, _pos + 1);
        if (end < 0)
        {
            throw Error("unterminated string");
        }

        var value = _text[(_pos + 1)..end];
        if (value.Contains('\\', StringComparison.Ordinal))
        {
            throw Error("escapes in header strings are not supported");
        }

        _pos = end + 1;
        return value;
    }

    private bool ParseBool()
    {
        SkipSpace();
        if (_text.AsSpan(_pos).StartsWith("True", StringComparison.Ordinal))
        {
            _pos += 4;
            return true;
        }

        if (_text.AsSpan(_pos).StartsWith("False", StringComparison.Ordinal))
        {
            _pos += 5;
            return false;
        }

        throw Error("'fortran_order' must be True or False");
    }

    private ImmutableArray<long> ParseTuple()
    {
        Expect('(');
        var dims = ImmutableArray.CreateBuilder<long>();
        while (true)
        {
            SkipSpace();
            if (Peek() == ')')
            {
                _pos++;
                break;
            }

            dims.Add(ParseDimension());
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
            }
            else if (Peek() != ')')
            {
                throw Error("expected ',' or ')' in the shape");
            }
        }

        return dims.ToImmutable();
    }

    private long ParseDimension()
    {
        var start = _pos;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        if (start == _pos)
        {
            throw Error("a shape dimension must be a non-negative integer");
        }

        if (!long.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
        {
            throw Error("a shape dimension is too large");
        }

        // Python 2's NumPy wrote long integers with an L suffix.
        if (Peek() == 'L')
        {
            _pos++;
        }

        return dim;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (Peek() != c)
        {
            throw Error($"expected '{c}'");
        }

        _pos++;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipSpace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }

    private NpyFormatException Error(string problem) =>
        new($"malformed header at character {_pos}: {problem}");
}
