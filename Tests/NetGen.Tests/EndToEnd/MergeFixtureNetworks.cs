using NetGen;

namespace NetGen.Tests.EndToEnd;

// One network per case of Fixtures/merge/merge.json (tools/reference/make_merge_fixtures.py): each input goes
// through a probe (a flat Dense with an identity kernel and a zero bias, then a Reshape to the case's shape), so the
// probe's bias gradient at batch 1 is exactly the gradient reaching that input of the layer under test.

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Add("probe0", "probe1")]
public partial class AddFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Subtract("probe0", "probe1")]
public partial class SubtractFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Multiply("probe0", "probe1")]
public partial class MultiplyFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Average("probe0", "probe1")]
public partial class AverageFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Maximum("probe0", "probe1")]
public partial class MaximumFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Minimum("probe0", "probe1")]
public partial class MinimumFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Concatenate("probe0", "probe1", Axis = -1)]
public partial class ConcatenateFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dot(1, "probe0", "probe1")]
public partial class DotFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dot(1, "probe0", "probe1", Normalize = true)]
public partial class DotNormalizeFixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Input(32, Name = "x2")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dense(32, Inputs = new[] { "x2" }, Name = "probe2")]
[Add("probe0", "probe1", "probe2")]
public partial class Add3FixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Input(32, Name = "x2")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dense(32, Inputs = new[] { "x2" }, Name = "probe2")]
[Multiply("probe0", "probe1", "probe2")]
public partial class Multiply3FixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Input(32, Name = "x2")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dense(32, Inputs = new[] { "x2" }, Name = "probe2")]
[Average("probe0", "probe1", "probe2")]
public partial class Average3FixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Input(32, Name = "x2")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dense(32, Inputs = new[] { "x2" }, Name = "probe2")]
[Maximum("probe0", "probe1", "probe2")]
public partial class Maximum3FixtureNet { }

[Network]
[Input(32, Name = "x0")]
[Input(32, Name = "x1")]
[Input(32, Name = "x2")]
[Dense(32, Inputs = new[] { "x0" }, Name = "probe0")]
[Dense(32, Inputs = new[] { "x1" }, Name = "probe1")]
[Dense(32, Inputs = new[] { "x2" }, Name = "probe2")]
[Minimum("probe0", "probe1", "probe2")]
public partial class Minimum3FixtureNet { }

[Network]
[Input(6, Name = "x0")]
[Input(12, Name = "x1")]
[Dense(6, Inputs = new[] { "x0" }, Name = "probe0")]
[Reshape(2, 3, Name = "shaped0")]
[Dense(12, Inputs = new[] { "x1" }, Name = "probe1")]
[Reshape(4, 3, Name = "shaped1")]
[Concatenate("shaped0", "shaped1", Axis = 1)]
[Flatten]
public partial class ConcatenateAxis1FixtureNet { }

[Network]
[Input(6, Name = "x0")]
[Input(10, Name = "x1")]
[Dense(6, Inputs = new[] { "x0" }, Name = "probe0")]
[Reshape(2, 3, Name = "shaped0")]
[Dense(10, Inputs = new[] { "x1" }, Name = "probe1")]
[Reshape(2, 5, Name = "shaped1")]
[Concatenate("shaped0", "shaped1", Axis = -1)]
[Flatten]
public partial class ConcatenateLastFixtureNet { }

[Network]
[Input(12, Name = "x0")]
[Input(20, Name = "x1")]
[Dense(12, Inputs = new[] { "x0" }, Name = "probe0")]
[Reshape(3, 4, Name = "shaped0")]
[Dense(20, Inputs = new[] { "x1" }, Name = "probe1")]
[Reshape(5, 4, Name = "shaped1")]
[Dot(2, "shaped0", "shaped1")]
[Flatten]
public partial class Dot3dAxes2FixtureNet { }

[Network]
[Input(12, Name = "x0")]
[Input(18, Name = "x1")]
[Dense(12, Inputs = new[] { "x0" }, Name = "probe0")]
[Reshape(3, 4, Name = "shaped0")]
[Dense(18, Inputs = new[] { "x1" }, Name = "probe1")]
[Reshape(3, 6, Name = "shaped1")]
[Dot(1, "shaped0", "shaped1")]
[Flatten]
public partial class Dot3dAxes1FixtureNet { }

[Network]
[Input(4, Name = "x0")]
[Input(4, Name = "x1")]
[Dense(4, Inputs = new[] { "x0" }, Name = "probe0")]
[Reshape(2, 2, Name = "shaped0")]
[Dense(4, Inputs = new[] { "x1" }, Name = "probe1")]
[Reshape(2, 2, Name = "shaped1")]
[Minimum("shaped0", "shaped1")]
[Flatten]
public partial class Minimum2x2FixtureNet { }

[Network]
[Input(24, Name = "x0")]
[Dense(24, Inputs = new[] { "x0" }, Name = "probe0")]
[Reshape(2, 3, 4, Name = "shaped0")]
[Permute(3, 1, 2, Inputs = new[] { "shaped0" })]
[Flatten]
public partial class PermuteFixtureNet { }

[Network]
[Input(5, Name = "x0")]
[Dense(5, Inputs = new[] { "x0" }, Name = "probe0")]
[RepeatVector(3, Inputs = new[] { "probe0" })]
[Flatten]
public partial class RepeatVectorFixtureNet { }
