using System;

namespace NetGen.Tests.Kernels;

/// <summary>Which recurrent cell a <see cref="RecurrentCase"/> runs.</summary>
public enum RecurrentCell
{
    SimpleRnn,
    Lstm,
    GruResetAfter,
    GruResetBefore,
}

/// <summary>One recurrent configuration: sizes, activations and the layer flags.</summary>
public sealed record RecurrentCase(
    RecurrentCell Cell, int Batch, int Steps, int Features, int Units,
    RecurrentActivation Activation = RecurrentActivation.Tanh, RecurrentActivation RecurrentActivation = RecurrentActivation.Sigmoid,
    bool UseBias = true, bool GoBackwards = false, bool ZeroOutputForMask = false, bool Masked = false, bool InitialState = false)
{
    public int Gates => Cell switch { RecurrentCell.SimpleRnn => 1, RecurrentCell.Lstm => 4, _ => 3 };

    public int BiasSize => !UseBias ? 0 : Cell == RecurrentCell.GruResetAfter ? 6 * Units : Gates * Units;

    public bool HasCell => Cell == RecurrentCell.Lstm;

    public override string ToString()
        => $"{Cell} b{Batch} t{Steps} f{Features} u{Units} {Activation}/{RecurrentActivation}{(UseBias ? "" : " nobias")}{(GoBackwards ? " back" : "")}{(Masked ? " mask" : "")}{(ZeroOutputForMask ? " zero" : "")}{(InitialState ? " init" : "")}";
}

/// <summary>
/// Scalar double-precision reference of Keras' SimpleRNN, LSTM and GRU (LAYERS.md §8), written straight from the
/// formulas one sample and one step at a time, with Keras' masking rule (state carried, previous output repeated, zeros
/// before the first step or always with zero_output_for_mask). Shares no code with the runtime kernels.
/// </summary>
public static class RecurrentReference
{
    public sealed class Result
    {
        public double[] Outputs = Array.Empty<double>();
        public double[] FinalH = Array.Empty<double>();
        public double[] FinalC = Array.Empty<double>();
    }

    public static double Act(double v, RecurrentActivation a) => a switch
    {
        RecurrentActivation.Tanh => Math.Tanh(v),
        RecurrentActivation.Sigmoid => 1 / (1 + Math.Exp(-v)),
        RecurrentActivation.Relu => Math.Max(v, 0),
        RecurrentActivation.HardSigmoid => Math.Min(1, Math.Max(0, v / 6 + 0.5)),
        RecurrentActivation.HardSigmoidKeras2 => Math.Min(1, Math.Max(0, 0.2 * v + 0.5)),
        _ => v,
    };

    public static Result Forward(RecurrentCase c, double[] x, double[] w, double[] u, double[] bias, double[] mask, double[] h0, double[] c0)
    {
        int B = c.Batch, T = c.Steps, F = c.Features, U = c.Units, G = c.Gates * U;
        var res = new Result { Outputs = new double[B * T * U], FinalH = new double[B * U], FinalC = new double[B * U] };
        for (int b = 0; b < B; b++)
        {
            var h = new double[U];
            var cell = new double[U];
            var prevOut = new double[U];
            if (h0.Length > 0) Array.Copy(h0, b * U, h, 0, U);
            if (c0.Length > 0) Array.Copy(c0, b * U, cell, 0, U);
            for (int s = 0; s < T; s++)
            {
                int t = c.GoBackwards ? T - 1 - s : s;
                double[] output;
                if (mask.Length > 0 && mask[b * T + t] == 0)
                {
                    output = c.ZeroOutputForMask ? new double[U] : (double[])prevOut.Clone();
                }
                else
                {
                    // xw[j] = x_t·W[:, j] (+ input bias); hu[j] = h·U[:, j] (+ recurrent bias for GRU reset_after).
                    var xw = new double[G];
                    var hu = new double[G];
                    for (int j = 0; j < G; j++)
                    {
                        double a = 0, r = 0;
                        for (int f = 0; f < F; f++) a += x[(b * T + t) * F + f] * w[f * G + j];
                        for (int k = 0; k < U; k++) r += h[k] * u[k * G + j];
                        if (bias.Length > 0) a += bias[j];
                        if (bias.Length > 0 && c.Cell == RecurrentCell.GruResetAfter) r += bias[G + j];
                        xw[j] = a;
                        hu[j] = r;
                    }
                    var hn = new double[U];
                    switch (c.Cell)
                    {
                        case RecurrentCell.SimpleRnn:
                            for (int j = 0; j < U; j++) hn[j] = Act(xw[j] + hu[j], c.Activation);
                            break;
                        case RecurrentCell.Lstm:
                            for (int j = 0; j < U; j++)
                            {
                                double i = Act(xw[j] + hu[j], c.RecurrentActivation);
                                double f = Act(xw[U + j] + hu[U + j], c.RecurrentActivation);
                                double g = Act(xw[2 * U + j] + hu[2 * U + j], c.Activation);
                                double o = Act(xw[3 * U + j] + hu[3 * U + j], c.RecurrentActivation);
                                cell[j] = f * cell[j] + i * g;
                                hn[j] = o * Act(cell[j], c.Activation);
                            }
                            break;
                        case RecurrentCell.GruResetAfter:
                            for (int j = 0; j < U; j++)
                            {
                                double z = Act(xw[j] + hu[j], c.RecurrentActivation);
                                double r = Act(xw[U + j] + hu[U + j], c.RecurrentActivation);
                                double hh = Act(xw[2 * U + j] + r * hu[2 * U + j], c.Activation);
                                hn[j] = z * h[j] + (1 - z) * hh;
                            }
                            break;
                        default:
                        {
                            var rh = new double[U];
                            var zg = new double[U];
                            for (int j = 0; j < U; j++)
                            {
                                zg[j] = Act(xw[j] + hu[j], c.RecurrentActivation);
                                rh[j] = Act(xw[U + j] + hu[U + j], c.RecurrentActivation) * h[j];
                            }
                            for (int j = 0; j < U; j++)
                            {
                                double a = xw[2 * U + j];
                                for (int k = 0; k < U; k++) a += rh[k] * u[k * G + 2 * U + j];
                                hn[j] = zg[j] * h[j] + (1 - zg[j]) * Act(a, c.Activation);
                            }
                            break;
                        }
                    }
                    h = hn;
                    output = (double[])hn.Clone();
                }
                Array.Copy(output, 0, res.Outputs, (b * T + s) * U, U);
                prevOut = output;
            }
            Array.Copy(h, 0, res.FinalH, b * U, U);
            Array.Copy(cell, 0, res.FinalC, b * U, U);
        }
        return res;
    }
}
