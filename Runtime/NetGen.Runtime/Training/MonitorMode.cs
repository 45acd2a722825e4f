namespace NetGen.Training;

/// <summary>Whether a monitored quantity improves by going down or up (Keras <c>mode</c>).</summary>
public enum MonitorMode
{
    /// <summary>From the name: accuracies, AUC, precision and recall improve upwards, everything else (losses, errors) downwards.</summary>
    Auto = 0,
    /// <summary>Lower is better.</summary>
    Min = 1,
    /// <summary>Higher is better.</summary>
    Max = 2,
}
