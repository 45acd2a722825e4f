using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The kernel tests run three times in CI (tools/test-widths.sh): with the machine's full width and with the
/// runtime capped by <c>DOTNET_EnableAVX512=0</c> (AVX2 paths) and <c>DOTNET_EnableAVX=0</c> (128-bit SSE paths,
/// what the portable NativeAOT build and ARM64 run). The script sets <c>NETGEN_EXPECT_VECTOR_BITS</c> to the width
/// it asked for, and this test fails if the kernels would pick another one, so a cap that silently stopped
/// working (a renamed runtime switch) cannot pass the capped runs on the full-width path.
/// </summary>
public class VectorWidthTests
{
    [Fact]
    public void KernelsPickTheWidthTheRunAskedFor()
    {
        string? expected = Environment.GetEnvironmentVariable("NETGEN_EXPECT_VECTOR_BITS");
        if (string.IsNullOrEmpty(expected))
        {
            // Uncapped run: the widest path must be one of the four the kernels have.
            Assert.Contains(VectorWidth.Widest, new[] { 512, 256, 128, 1 });
            return;
        }
        Assert.Equal(int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), VectorWidth.Widest);
        Assert.Equal(VectorWidth.Widest, Gemm.DefaultPath);
    }
}
