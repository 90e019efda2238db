namespace Exchange.Node.Provider;

/// <summary>How a dishonest provider falsifies the tasks it picks (for tests and the demo: the network must catch every one).</summary>
public enum CheatMode
{
    /// <summary>Honest: every output is the model's.</summary>
    None,

    /// <summary>Outputs replaced by random values of the right shape and type (no compute at all).</summary>
    Random,

    /// <summary>The model's outputs with noise added (a sloppy or lossy computation).</summary>
    Perturb,

    /// <summary>Outputs of a cheaper model (the card's model with its last stage skipped or its weights quantised).</summary>
    OtherModel,

    /// <summary>Outputs of an earlier task with a different input (caching instead of computing).</summary>
    Reuse,

    /// <summary>Honest outputs signed into the result root, but the chosen tasks' outputs and the output manifest never uploaded (unavailable data).</summary>
    Withhold,
}
