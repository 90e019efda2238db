namespace Exchange.Core.Tensors;

/// <summary>The element types a tensor may have: those ONNX models and NumPy files exchange here.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1720:Identifiers should not contain type names",
    Justification = "The members are the element type names of ONNX and NumPy; hiding them would confuse readers of both.")]
public enum TensorDType
{
    /// <summary>IEEE 754 binary32 (<c>float32</c>, NumPy <c>&lt;f4</c>).</summary>
    Float32,

    /// <summary>IEEE 754 binary16 (<c>float16</c>, NumPy <c>&lt;f2</c>, <see cref="System.Half"/>).</summary>
    Float16,

    /// <summary>Signed 64-bit integer (<c>int64</c>, NumPy <c>&lt;i8</c>).</summary>
    Int64,

    /// <summary>Signed 32-bit integer (<c>int32</c>, NumPy <c>&lt;i4</c>).</summary>
    Int32,

    /// <summary>Unsigned byte (<c>uint8</c>, NumPy <c>|u1</c>).</summary>
    UInt8,

    /// <summary>Boolean stored as one byte 0 or 1 (<c>bool</c>, NumPy <c>|b1</c>).</summary>
    Bool,
}
