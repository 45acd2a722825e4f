namespace NetGen;

/// <summary>How tensor names and layouts in a safetensors file relate to a NetGen network's weights.</summary>
public enum SafetensorsNaming
{
    /// <summary>Keras names and layouts, as NetGen's own: <c>dense/kernel</c> <c>(in, units)</c>, <c>conv2d/kernel</c> <c>(kh, kw, in, out)</c>.</summary>
    Keras = 0,

    /// <summary>
    /// A PyTorch <c>state_dict</c>: modules (<c>fc1.weight</c>, <c>fc1.bias</c>, ...) are matched to NetGen's weighted layers
    /// in order (module names in natural order: <c>layers.2</c> before <c>layers.10</c>, unless
    /// <see cref="SafetensorsOptions.ModuleNames"/> gives them), and layouts converted: Linear weight <c>(out, in)</c>
    /// transposed, convolution weight <c>(out, in, k...)</c> to <c>(k..., in, out)</c>, depthwise <c>(C·M, 1, kh, kw)</c> to
    /// <c>(kh, kw, C, M)</c>, transposed convolution <c>(in, out, kh, kw)</c> to <c>(kh, kw, out, in)</c>, BatchNorm
    /// <c>weight/bias/running_mean/running_var</c> to <c>gamma/beta/moving_mean/moving_variance</c>.
    /// </summary>
    PyTorch = 1,
}
