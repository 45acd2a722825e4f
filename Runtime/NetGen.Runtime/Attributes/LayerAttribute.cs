using System;

namespace NetGen;

/// <summary>Base class of every layer attribute.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name, used by <c>Summary</c>, weight files, the diagram and diagnostics, and by which later layers
    /// read it (<see cref="Inputs"/>). Defaults to Keras' naming: the snake_case class name, then <c>_1</c>, <c>_2</c>,
    /// ... for repeats (<c>dense</c>, <c>dense_1</c>).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The names of the earlier layers or inputs this layer reads (Keras' functional API). Without it a layer reads the
    /// layer declared just above it. Merge layers take their inputs as constructor arguments instead.
    /// </summary>
    public string[]? Inputs { get; set; }

    /// <summary>
    /// False freezes the layer (Keras <c>trainable = False</c>): its weights keep their values through training (no
    /// gradient code is generated for them and the optimizer skips them), and BatchNormalization runs in inference mode
    /// (moving statistics, not updated), as in Keras 3. The gradient still flows through the layer to earlier ones.
    /// Layers declared trainable can be frozen and unfrozen at run time with <c>SetTrainable</c>.
    /// </summary>
    public bool Trainable { get; set; } = true;

    /// <summary>
    /// Keras <c>TimeDistributed(layer)</c>: apply this layer to every time step of a <c>(steps, ...)</c> input with one set
    /// of weights, giving <c>(steps, layer output...)</c>; e.g. <c>[Conv2D(8, 3, TimeDistributed = true)]</c> on
    /// <c>(steps, height, width, channels)</c>. The layer is named <c>time_distributed</c> (Keras' wrapper name) and its
    /// weights keep the wrapped layer's names (<c>time_distributed/kernel</c>). Layers that read several inputs, token ids
    /// or a padding mask, Lambda, layers with state outputs and a trainable BatchNormalization (whose statistics Keras
    /// takes per step) cannot be wrapped. Default false.
    /// </summary>
    public bool TimeDistributed { get; set; }

    /// <summary>
    /// Keras <c>kernel_regularizer</c> of the weights named <c>kernel</c> (Dense, convolutions, recurrent layers' input kernel, LocallyConnected, the four kernels of MultiHeadAttention): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? KernelRegularizer { get; set; }

    /// <summary>
    /// Keras <c>kernel_constraint</c> of the weights named <c>kernel</c> (Dense, convolutions, recurrent layers' input kernel, LocallyConnected, the four kernels of MultiHeadAttention), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="KernelRegularizer"/>.
    /// </summary>
    public string? KernelConstraint { get; set; }

    /// <summary>
    /// Keras <c>bias_regularizer</c> of the weights named <c>bias</c>: <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? BiasRegularizer { get; set; }

    /// <summary>
    /// Keras <c>bias_constraint</c> of the weights named <c>bias</c>, applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="BiasRegularizer"/>.
    /// </summary>
    public string? BiasConstraint { get; set; }

    /// <summary>
    /// Keras <c>recurrent_regularizer</c> of the weights named <c>recurrent_kernel</c> (SimpleRNN, LSTM, GRU, ConvLSTM): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? RecurrentRegularizer { get; set; }

    /// <summary>
    /// Keras <c>recurrent_constraint</c> of the weights named <c>recurrent_kernel</c> (SimpleRNN, LSTM, GRU, ConvLSTM), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="RecurrentRegularizer"/>.
    /// </summary>
    public string? RecurrentConstraint { get; set; }

    /// <summary>
    /// Keras <c>depthwise_regularizer</c> of the weights named <c>depthwise_kernel</c> (DepthwiseConv, SeparableConv): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? DepthwiseRegularizer { get; set; }

    /// <summary>
    /// Keras <c>depthwise_constraint</c> of the weights named <c>depthwise_kernel</c> (DepthwiseConv, SeparableConv), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="DepthwiseRegularizer"/>.
    /// </summary>
    public string? DepthwiseConstraint { get; set; }

    /// <summary>
    /// Keras <c>pointwise_regularizer</c> of the weights named <c>pointwise_kernel</c> (SeparableConv): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? PointwiseRegularizer { get; set; }

    /// <summary>
    /// Keras <c>pointwise_constraint</c> of the weights named <c>pointwise_kernel</c> (SeparableConv), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="PointwiseRegularizer"/>.
    /// </summary>
    public string? PointwiseConstraint { get; set; }

    /// <summary>
    /// Keras <c>embeddings_regularizer</c> of the weights named <c>embeddings</c> (Embedding): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? EmbeddingsRegularizer { get; set; }

    /// <summary>
    /// Keras <c>embeddings_constraint</c> of the weights named <c>embeddings</c> (Embedding), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="EmbeddingsRegularizer"/>.
    /// </summary>
    public string? EmbeddingsConstraint { get; set; }

    /// <summary>
    /// Keras <c>gamma_regularizer</c> of the weights named <c>gamma</c> (BatchNormalization, LayerNormalization, GroupNormalization): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? GammaRegularizer { get; set; }

    /// <summary>
    /// Keras <c>gamma_constraint</c> of the weights named <c>gamma</c> (BatchNormalization, LayerNormalization, GroupNormalization), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="GammaRegularizer"/>.
    /// </summary>
    public string? GammaConstraint { get; set; }

    /// <summary>
    /// Keras <c>beta_regularizer</c> of the weights named <c>beta</c> (the normalizations): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? BetaRegularizer { get; set; }

    /// <summary>
    /// Keras <c>beta_constraint</c> of the weights named <c>beta</c> (the normalizations), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="BetaRegularizer"/>.
    /// </summary>
    public string? BetaConstraint { get; set; }

    /// <summary>
    /// Keras <c>alpha_regularizer</c> of the weights named <c>alpha</c> (PReLU): <c>"l1(0.01)"</c>, <c>"l2(1e-4)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.001)"</c> (see <see cref="WeightRegularizer"/>). Null: none. A layer without such a weight is
    /// error NG0075; a malformed value NG0076.
    /// </summary>
    public string? AlphaRegularizer { get; set; }

    /// <summary>
    /// Keras <c>alpha_constraint</c> of the weights named <c>alpha</c> (PReLU), applied after every optimizer update:
    /// <c>"max_norm(3)"</c>, <c>"max_norm(2, axis=[0, 1, 2])"</c>, <c>"non_neg"</c>, <c>"unit_norm(axis=0)"</c>,
    /// <c>"min_max_norm(0.5, 2, rate=1, axis=0)"</c> (see <see cref="WeightConstraint"/>). Null: none. NG0075, NG0076 as for
    /// <see cref="AlphaRegularizer"/>.
    /// </summary>
    public string? AlphaConstraint { get; set; }
}
