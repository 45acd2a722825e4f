using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.ModelApi;

/// <summary>
/// The int token-id training step (issue 16: it allocated a float copy of the ids on every call): it must equal the step
/// on the same ids as floats, bit for bit, and allocate nothing once its buffer has grown to the batch.
/// </summary>
public class TokenTrainingTests
{
    [Fact]
    public void A_training_step_on_token_ids_equals_the_float_step_and_allocates_nothing()
    {
        var net = new MaskedGruNet(seed: 1);
        int[] ids = { 1, 2, 0, 0, 3, 4, 2, 2, 1, 0, 0, 0 }; // two samples of six ids, 0 = padding
        var floats = ids.Select(i => (float)i).ToArray();
        var y = GradientCheck.Random(2 * 2, 3);

        float fromFloats = net.ComputeGradients(floats, y, 2, Loss.MeanSquaredError);
        var gradients = net.Gradients.ToArray();
        float fromIds = net.ComputeGradients(ids, y, 2, Loss.MeanSquaredError);
        Assert.Equal(fromFloats, fromIds);
        Assert.Equal(gradients, net.Gradients.ToArray());
        Assert.Contains(gradients, g => g != 0);

        Assert.Equal(0, Allocations.Fewest(() => net.ComputeGradients(ids, y, 2, Loss.MeanSquaredError)));
    }
}
