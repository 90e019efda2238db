namespace Exchange.Core.Tensors;

/// <summary>The <c>.npy</c> format versions this library reads and writes.</summary>
public enum NpyVersion
{
    /// <summary>Version 1.0: header length as a little-endian uint16.</summary>
    V1 = 1,

    /// <summary>Version 2.0: header length as a little-endian uint32.</summary>
    V2 = 2,
}
