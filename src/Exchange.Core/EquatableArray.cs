using System.Collections;
using System.Collections.Immutable;

namespace Exchange.Core;

/// <summary>
/// An immutable array compared by its elements, so records that hold lists (model cards,
/// manifests) compare by value.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items;

    /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
    /// <param name="items">The elements.</param>
    public EquatableArray(IEnumerable<T> items) => _items = [.. items];

    private EquatableArray(ImmutableArray<T> items) => _items = items;

    /// <summary>The elements (empty for a default instance).</summary>
    public ImmutableArray<T> Items => _items.IsDefault ? [] : _items;

    /// <inheritdoc/>
    public int Count => Items.Length;

    /// <inheritdoc/>
    public T this[int index] => Items[index];

    /// <summary>Wraps an immutable array without copying.</summary>
    /// <param name="items">The elements.</param>
    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    /// <summary>Wraps a copy of an array.</summary>
    /// <param name="items">The elements.</param>
    public static implicit operator EquatableArray<T>(T[] items) => new([.. items]);

    /// <summary>Element-wise equality.</summary>
    /// <param name="left">One array.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they hold equal elements in the same order.</returns>
    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    /// <summary>Element-wise inequality.</summary>
    /// <param name="left">One array.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    /// <summary>The elements as a new array.</summary>
    /// <returns>A copy.</returns>
    public T[] ToArray() => [.. Items];

    /// <summary>The elements as a span.</summary>
    /// <returns>A read-only span over the elements.</returns>
    public ReadOnlySpan<T> AsSpan() => Items.AsSpan();

    /// <inheritdoc/>
    public bool Equals(EquatableArray<T> other) => Items.SequenceEqual(other.Items);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The elements, comma separated, for messages.</summary>
    /// <returns>For example <c>1, -1, 224</c>.</returns>
    public override string ToString() => string.Join(", ", Items);
}
