namespace Exchange.Fuzz.Tests;

/// <summary>
/// How many generated cases each property of this project runs. Each property asserts it ran its
/// share; the total is what the reliability campaign reports as fuzz cases.
/// </summary>
public static class FuzzBudget
{
    public const int Npy = 3_000;
    public const int NpyHeaders = 1_000;
    public const int CanonicalJson = 1_500;
    public const int JobManifests = 1_200;
    public const int OutputManifests = 600;
    public const int ModelCards = 1_500;
    public const int OnnxEdits = 1_000;
    public const int OnnxModelAdds = 400;

    public const int Total = Npy + NpyHeaders + CanonicalJson + JobManifests + OutputManifests + ModelCards + OnnxEdits + OnnxModelAdds;
}
