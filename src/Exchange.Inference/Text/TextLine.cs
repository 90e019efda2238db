namespace Exchange.Inference.Text;

/// <summary>One text of an input file.</summary>
/// <param name="Number">Its line in the file, from 1.</param>
/// <param name="Text">The text.</param>
public sealed record TextLine(int Number, string Text);
