using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NetGen.Cli.Model;

namespace NetGen.Cli.Import;

/// <summary>
/// Every field of a Keras layer configuration is accounted for: mapped to NetGen (by the layer's case in
/// <see cref="KerasImporter"/>), ignorable because it cannot change what the layer computes (its name, initializers,
/// seeds, backend switches), training-only and reported in the generated file's header (noise_shape, ...), or
/// refused with an error naming the layer, the field and the value. A field the importer does not know is refused unless
/// it is null (Keras writes new options as null when unused).
/// </summary>
internal static partial class KerasImporter
{
    private static readonly string[] s_common = { "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape", "input_dim", "input_length", "seed", "implementation", "unroll", "use_cudnn", "autocast" };

    private const string Recurrent = "units activation recurrent_activation use_bias return_sequences return_state go_backwards stateful dropout recurrent_dropout reset_after unit_forget_bias time_major zero_output_for_mask";
    private const string Conv = "filters kernel_size strides padding data_format dilation_rate groups activation use_bias depth_multiplier output_padding";
    private const string Pooling = "pool_size strides padding data_format";

    /// <summary>The configuration fields each layer class maps (besides <see cref="s_common"/> and initializers).</summary>
    private static readonly Dictionary<string, string> s_mapped = new(StringComparer.Ordinal)
    {
        ["InputLayer"] = "sparse ragged optional",
        ["Dense"] = "units activation use_bias",
        ["Activation"] = "activation",
        ["ReLU"] = "max_value negative_slope threshold",
        ["LeakyReLU"] = "negative_slope alpha",
        ["ELU"] = "alpha",
        ["PReLU"] = "shared_axes",
        ["ThresholdedReLU"] = "theta",
        ["Softmax"] = "axis",
        ["Flatten"] = "data_format",
        ["Reshape"] = "target_shape",
        ["Permute"] = "dims",
        ["Dropout"] = "rate noise_shape",
        ["SpatialDropout1D"] = "rate data_format noise_shape",
        ["SpatialDropout2D"] = "rate data_format noise_shape",
        ["GaussianDropout"] = "rate",
        ["GaussianNoise"] = "stddev",
        ["AlphaDropout"] = "rate noise_shape",
        ["SimpleRNN"] = Recurrent,
        ["LSTM"] = Recurrent,
        ["GRU"] = Recurrent,
        ["ConvLSTM1D"] = Recurrent + " " + Conv,
        ["ConvLSTM2D"] = Recurrent + " " + Conv,
        ["ConvLSTM3D"] = Recurrent + " " + Conv,
        ["Masking"] = "mask_value",
        ["Conv1D"] = Conv,
        ["Conv2D"] = Conv,
        ["Conv3D"] = Conv,
        ["Conv2DTranspose"] = Conv,
        ["DepthwiseConv2D"] = Conv,
        ["SeparableConv2D"] = Conv,
        ["MaxPooling1D"] = Pooling,
        ["MaxPooling2D"] = Pooling,
        ["MaxPooling3D"] = Pooling,
        ["AveragePooling1D"] = Pooling,
        ["AveragePooling2D"] = Pooling,
        ["AveragePooling3D"] = Pooling,
        ["GlobalMaxPooling1D"] = "data_format keepdims",
        ["GlobalMaxPooling2D"] = "data_format keepdims",
        ["GlobalMaxPooling3D"] = "data_format keepdims",
        ["GlobalAveragePooling1D"] = "data_format keepdims",
        ["GlobalAveragePooling2D"] = "data_format keepdims",
        ["GlobalAveragePooling3D"] = "data_format keepdims",
        ["ZeroPadding1D"] = "padding data_format",
        ["ZeroPadding2D"] = "padding data_format",
        ["ZeroPadding3D"] = "padding data_format",
        ["Cropping1D"] = "cropping data_format",
        ["Cropping2D"] = "cropping data_format",
        ["Cropping3D"] = "cropping data_format",
        ["UpSampling1D"] = "size data_format interpolation",
        ["UpSampling2D"] = "size data_format interpolation",
        ["UpSampling3D"] = "size data_format interpolation",
        // momentum and the renorm settings only act while training with renorm off; fused and synchronized pick kernels.
        ["BatchNormalization"] = "axis momentum epsilon center scale renorm renorm_clipping renorm_momentum fused synchronized virtual_batch_size adjustment",
        ["LayerNormalization"] = "axis epsilon center scale rms_scaling",
        ["Add"] = "", ["Subtract"] = "", ["Multiply"] = "", ["Average"] = "", ["Maximum"] = "", ["Minimum"] = "",
        ["Concatenate"] = "axis",
        ["Rescaling"] = "scale offset",
        ["Normalization"] = "axis mean variance invert",
        ["Embedding"] = "output_dim mask_zero",
        ["RepeatVector"] = "n",
        ["GroupNormalization"] = "groups axis epsilon center scale",
        ["Dot"] = "axes normalize",
        ["Attention"] = "use_scale score_mode dropout causal",
        ["AdditiveAttention"] = "use_scale dropout causal",
        ["MultiHeadAttention"] = "num_heads key_dim value_dim dropout use_bias output_shape attention_axes flash_attention query_shape key_shape value_shape",
        ["TimeDistributed"] = "layer",
        ["Bidirectional"] = "layer merge_mode backward_layer",
    };

    /// <summary>Fields that change the numbers unless they hold their default: (field, whether the value is the default).</summary>
    private static readonly (string Field, Func<JsonElement, bool> IsDefault, string Why)[] s_mustBeDefault =
    {
        ("time_major", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "NetGen's recurrent layers read (batch, steps, features)"),
        ("renorm", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "NetGen's BatchNormalization has no batch renormalization"),
        ("virtual_batch_size", v => v.ValueKind is JsonValueKind.Null, "NetGen's BatchNormalization has no ghost batches"),
        ("adjustment", v => v.ValueKind is JsonValueKind.Null, "NetGen's BatchNormalization has no adjustment function"),
        ("rms_scaling", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "NetGen's LayerNormalization subtracts the mean (no RMS scaling)"),
        ("sparse", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "NetGen's inputs are dense"),
        ("ragged", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "NetGen's inputs are not ragged"),
        ("optional", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "NetGen's inputs are always given"),
    };

    /// <summary>
    /// Checks a layer configuration's fields (see the class summary) and its dtype policy; training-only fields that are set
    /// become notes in the generated file.
    /// </summary>
    private static void CheckFields(ImportedNetwork network, string cls, string name, JsonElement c)
    {
        if (c.ValueKind != JsonValueKind.Object) throw new ImportException($"Layer '{name}' ({cls}): its config is {c.ValueKind}, not an object.");
        s_mapped.TryGetValue(cls, out var mappedText);
        var mapped = (mappedText ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var p in c.EnumerateObject())
        {
            string f = p.Name;
            var v = p.Value;
            if (f == "dtype")
            {
                if (cls != "InputLayer") CheckDtype(network, cls, name, v);
                continue;
            }
            foreach (var (field, isDefault, why) in s_mustBeDefault)
                if (f == field && !isDefault(v))
                    throw new ImportException($"Layer '{name}' ({cls}): {f} = {Text(v)} is not supported ({why}).");
            if (s_common.Contains(f) || mapped.Contains(f) || f.EndsWith("_initializer", StringComparison.Ordinal)) continue;
            // Per-weight regularizers and constraints are mapped by KerasWeightOptions (which refuses activity regularizers
            // and kinds NetGen does not have, naming the layer).
            if (f.EndsWith("_regularizer", StringComparison.Ordinal) || f.EndsWith("_constraint", StringComparison.Ordinal)) continue;
            if (v.ValueKind == JsonValueKind.Null) continue;
            throw new ImportException($"Layer '{name}' ({cls}): configuration field '{f}' = {Text(v)} is not understood by the importer; "
                + "it may change what the layer computes, so the model is not imported.");
        }
    }

    /// <summary>The compute dtype: float32 (NetGen's), or float64 with a note; a float16/bfloat16/mixed/quantized policy is refused.</summary>
    private static void CheckDtype(ImportedNetwork network, string cls, string name, JsonElement v)
    {
        string? policy = v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => v.GetString(),
            // Keras 3: {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}.
            JsonValueKind.Object when v.TryGetProperty("config", out var pc) && pc.ValueKind == JsonValueKind.Object && pc.TryGetProperty("name", out var pn)
                && pn.ValueKind == JsonValueKind.String => pn.GetString(),
            _ => throw new ImportException($"Layer '{name}' ({cls}): dtype {Text(v)} is not a dtype name or a DTypePolicy."),
        };
        if (policy is null or "float32") return;
        if (policy == "float64")
        {
            network.Notes.Add($"Layer '{name}' ({cls}) computes in float64 in Keras; NetGen computes in float32 (results differ by rounding only).");
            return;
        }
        throw new ImportException($"Layer '{name}' ({cls}): dtype policy '{policy}' is not supported; NetGen computes in float32 "
            + "(save the model with the float32 policy).");
    }

    private static string Text(JsonElement v)
    {
        var s = v.GetRawText();
        return s.Length > 120 ? s[..117] + "..." : s;
    }
}
