using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. Ids are stable; docs/diagnostics.md documents each one in its own section.</summary>
internal static class Descriptors
{
    private const string Category = "NetGen";
    // docs/diagnostics.md has a section per id; the help link points at it (anchor: the id in lower case).
    private const string HelpDocument = "docs/diagnostics.md";

    /// <summary>The help link of a diagnostic id: its section of the diagnostics document.</summary>
    public static string HelpLink(string id) => HelpDocument + "#" + id.ToLowerInvariant();

    private static DiagnosticDescriptor Make(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
        => new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    public static readonly DiagnosticDescriptor NotPartial = Make("NG0001",
        "Network class must be partial",
        "Network class '{0}' must be declared partial (and so must every type containing it) so that NetGen can generate its members");

    public static readonly DiagnosticDescriptor NoInput = Make("NG0002",
        "Network has no input",
        "Network '{0}' has no [Input(...)] attribute; declare the shape of one sample first, e.g. [Input(28, 28)]");

    public static readonly DiagnosticDescriptor SplitDeclarations = Make("NG0003",
        "Layer attributes are split across partial declarations",
        "Network '{0}' declares layer attributes on more than one partial declaration, so their order is undefined; put all of them on one declaration");

    public static readonly DiagnosticDescriptor NonPositive = Make("NG0004",
        "Size must be positive",
        "{0}: {1} must be positive, but is {2}");

    public static readonly DiagnosticDescriptor RateOutOfRange = Make("NG0005",
        "Rate out of range",
        "{0}: rate must be in [0, 1), but is {1}");

    public static readonly DiagnosticDescriptor ReshapeCount = Make("NG0006",
        "Reshape changes the element count",
        "{0}: target shape {1} holds {2} elements, but its input {3} holds {4}");

    public static readonly DiagnosticDescriptor UnknownActivation = Make("NG0007",
        "Unknown activation",
        "{0}: {1} is not a NetGen.Activation value");

    public static readonly DiagnosticDescriptor FlattenOfFlat = Make("NG0008",
        "Flatten of an already flat input",
        "{0}: the input {1} is already flat, so Flatten does nothing", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InternalError = Make("NG0009",
        "NetGen internal error",
        "NetGen could not generate network '{0}': {1}");

    public static readonly DiagnosticDescriptor ReshapeInfer = Make("NG0010",
        "Reshape target cannot be inferred",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor InputPlacement = Make("NG0011",
        "Misplaced input",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor UnknownInitializer = Make("NG0012",
        "Unknown initializer",
        "{0}: {1} is not a NetGen.Initializer value");

    public static readonly DiagnosticDescriptor GenericNetwork = Make("NG0013",
        "Generic networks are not supported",
        "Network '{0}' is generic or nested in a generic type; NetGen needs a non-generic class");

    public static readonly DiagnosticDescriptor DuplicateName = Make("NG0014",
        "Duplicate layer name",
        "Layer name '{0}' is used twice; every layer needs a unique name");

    public static readonly DiagnosticDescriptor UnsupportedLayer = Make("NG0015",
        "Layer not supported by this generator",
        "{0}: the layer attribute [{1}] is not supported by this version of the NetGen generator");

    public static readonly DiagnosticDescriptor CapacityNotPositive = Make("NG0016",
        "Inference batch capacity must be positive",
        "Network '{0}': InferenceBatchCapacity must be positive, but is {1}");

    public static readonly DiagnosticDescriptor WrongRank = Make("NG0017",
        "Input of the wrong rank",
        "{0}: expects a rank-{1} input {2}, but its input {3} has rank {4}");

    public static readonly DiagnosticDescriptor WindowTooLarge = Make("NG0018",
        "Window larger than its input",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor OutputPaddingTooLarge = Make("NG0019",
        "Output padding not smaller than the stride",
        "{0}: output padding {1} along {2} must be smaller than the stride {3}");

    public static readonly DiagnosticDescriptor StridesWithDilation = Make("NG0020",
        "Strides and dilation both above 1",
        "{0}: strides {1} and dilation rate {2} cannot both exceed 1 (Keras rejects it too)");

    public static readonly DiagnosticDescriptor PaddingNotAllowed = Make("NG0021",
        "Padding mode not allowed here",
        "{0}: padding '{1}' is not allowed here; {2}");

    public static readonly DiagnosticDescriptor WrongValueCount = Make("NG0022",
        "Wrong number of per-axis values",
        "{0}: {1} needs {2} values, but has {3}");

    public static readonly DiagnosticDescriptor AxisOutOfRange = Make("NG0023",
        "Axis out of range",
        "{0}: axis {1} is out of range for an input of rank {2} (use -{2}..-1 or 1..{2})");

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Make("NG0024",
        "Groups do not divide the channels",
        "{0}: {1} groups do not divide the {2} channels");

    public static readonly DiagnosticDescriptor NegativeStddev = Make("NG0025",
        "Negative standard deviation",
        "{0}: stddev must be at least 0, but is {1}");

    public static readonly DiagnosticDescriptor TokenIdMismatch = Make("NG0026",
        "Token ids and features mixed",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor AxisNotSupported = Make("NG0027",
        "Normalization axis not supported yet",
        "{0}: normalising axis {1} is not supported yet; only the last (channel) axis is");

    public static readonly DiagnosticDescriptor MaskDropped = Make("NG0028",
        "Padding mask not used",
        "{0}: the padding mask of '{1}' stops here: {2}", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnknownInputName = Make("NG0029",
        "Unknown layer or input name",
        "{0}: there is no layer or input named '{1}' (known names: {2})");

    public static readonly DiagnosticDescriptor ReadsLaterLayer = Make("NG0030",
        "A layer reads a layer declared after it",
        "{0}: it reads '{1}', which is declared after it; declare a layer after every layer it reads");

    public static readonly DiagnosticDescriptor MergeShapes = Make("NG0031",
        "Merge inputs of unequal shapes",
        "{0}: its inputs must {1}, but they are {2}");

    public static readonly DiagnosticDescriptor InputCount = Make("NG0032",
        "Wrong number of inputs",
        "{0}: {1}, but it reads {2}");

    public static readonly DiagnosticDescriptor DotAxes = Make("NG0033",
        "Dot axes of unequal length",
        "{0}: axis {1} of the first input {2} has length {3}, but axis {4} of the second input {5} has length {6}");

    public static readonly DiagnosticDescriptor NotAPermutation = Make("NG0034",
        "Permute dims are not a permutation",
        "{0}: dims {1} must be a permutation of 1..{2} for an input of rank {2} {3}");

    public static readonly DiagnosticDescriptor LambdaMethod = Make("NG0035",
        "Lambda method missing or of the wrong signature",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor UnusedInput = Make("NG0036",
        "Input no output depends on",
        "Input '{0}' is not used by any output of '{1}'", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnusedLayer = Make("NG0037",
        "Layer no output depends on",
        "{0}: no output of '{1}' depends on it, so it is left out of the network", DiagnosticSeverity.Warning);
    // [Weights("file")] (Weights/WeightsBaking.cs)
    public static readonly DiagnosticDescriptor WeightsFileMissing = Make("NG0038",
        "Weight file not found",
        "Network '{0}': the weight file '{1}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{1}\" /> holding the network's {2}");

    public static readonly DiagnosticDescriptor WeightsMismatch = Make("NG0039",
        "Weight file does not fit the network",
        "Network '{0}': the weight file '{1}' does not fit: {2}, but the network expects {3} (signature {4})");

    public static readonly DiagnosticDescriptor WeightsFileFormat = Make("NG0040",
        "Not a bakeable weight file",
        "Network '{0}': the weight file '{1}' {2}");

    // Reliability (issue 11): declarations that used to crash the generator, break the generated code or be ignored.
    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Make("NG0041",
        "Layer attributes without [Network]",
        "'{0}' has layer attributes but no [Network] attribute, so NetGen generates nothing for it; add [Network] (or remove the layer attributes)", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnsupportedClass = Make("NG0042",
        "Network class shape not supported",
        "Network '{0}' cannot be generated: {1}");

    public static readonly DiagnosticDescriptor InvalidName = Make("NG0043",
        "Invalid layer name",
        "{0}: the name '{1}' is not allowed; a name must be 1 to 100 characters out of letters, digits, '_', '.' and '-' (the characters Keras allows), starting with a letter, digit or '_'");

    public static readonly DiagnosticDescriptor NameCollision = Make("NG0044",
        "Layer names collide as identifiers",
        "The names '{0}' and '{1}' both become the C# identifier '{2}' in the generated code; rename one of them");

    public static readonly DiagnosticDescriptor DuplicateOutput = Make("NG0045",
        "Output named twice",
        "Network '{0}': [Output] names '{1}' more than once; name each output once");

    public static readonly DiagnosticDescriptor TooLarge = Make("NG0046",
        "Network too large",
        "{0}: {1} is too large ({2}); sizes must fit in 32-bit counts of floats");

    public static readonly DiagnosticDescriptor NumberOutOfRange = Make("NG0047",
        "Number not finite or out of range",
        "{0}: {1} must be {2}, but is {3}");

    public static readonly DiagnosticDescriptor NullArgument = Make("NG0048",
        "Null argument",
        "{0}: {1} must not be null or contain null");

    public static readonly DiagnosticDescriptor RecurrentOptionUnsupported = Make("NG0050",
        "Recurrent option not supported yet",
        "{0}: {1} is not supported yet (it is {2}); {3}");

    public static readonly DiagnosticDescriptor UnknownOutputPort = Make("NG0051",
        "Unknown output port",
        "{0}: '{1}' has no output named '{2}' ({3})");

    public static readonly DiagnosticDescriptor TimeDistributedUnsupported = Make("NG0052",
        "Layer cannot be time-distributed",
        "{0}: TimeDistributed cannot wrap this layer: {1}");

    public static readonly DiagnosticDescriptor TimeDistributedRank = Make("NG0053",
        "TimeDistributed input without a time axis",
        "{0}: TimeDistributed needs an input (steps, ...) with a time axis and a per-step shape (rank at least 2), but its input {1} has rank {2}");
    public static readonly DiagnosticDescriptor CellMethod = Make("NG0056",
        "Recurrent cell method missing or of the wrong signature",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor CellType = Make("NG0057",
        "Recurrent cell type not usable",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor CellSizes = Make("NG0058",
        "Recurrent cell size constant missing or invalid",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor CellInput = Make("NG0059",
        "Recurrent cell does not fit its input",
        "{0}: the cell '{1}' reads {2} features per step (InputSize), but the input {3} has {4}");

    public static readonly DiagnosticDescriptor CellWeight = Make("NG0085",
        "Recurrent cell weight declaration invalid",
        "{0}: {1}");
    public static readonly DiagnosticDescriptor AttentionShapes = Make("NG0060",
        "Attention inputs of incompatible shapes",
        "{0}: the {1} {2} and the {3} {4} do not fit together: {5}");

    public static readonly DiagnosticDescriptor CausalMaskNotAllowed = Make("NG0061",
        "Causal mask not allowed here",
        "{0}: use_causal_mask needs one attention axis, but {1}");

    public static readonly DiagnosticDescriptor AttentionAxesNotSupported = Make("NG0062",
        "attention_axes not supported",
        "{0}: AttentionAxes {1} {2}");

    public static readonly DiagnosticDescriptor SequenceTooLong = Make("NG0063",
        "Sequence longer than the position embedding",
        "{0}: the input {1} has {2} positions, more than sequence_length {3}");

    public static readonly DiagnosticDescriptor MaskDoesNotApply = Make("NG0064",
        "Padding mask does not fit",
        "{0}: the padding mask of '{1}' has {2} positions per sample, but its {3} has {4}");

    public static readonly DiagnosticDescriptor ValueNotAllowed = Make("NG0065",
        "Value not allowed here",
        "{0}: {1} is {2}, but must be {3}");

    public static readonly DiagnosticDescriptor WeightOptionWithoutWeight = Make("NG0075",
        "Regularizer or constraint for a weight the layer does not have",
        "{0}: {1} applies to weights named '{2}', and this layer has none (its weights: {3})");

    public static readonly DiagnosticDescriptor WeightOptionInvalid = Make("NG0076",
        "Invalid regularizer or constraint",
        "{0}: {1} = \"{2}\" {3}");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [NotPartial.Id] = NotPartial,
        [NoInput.Id] = NoInput,
        [SplitDeclarations.Id] = SplitDeclarations,
        [NonPositive.Id] = NonPositive,
        [RateOutOfRange.Id] = RateOutOfRange,
        [ReshapeCount.Id] = ReshapeCount,
        [UnknownActivation.Id] = UnknownActivation,
        [FlattenOfFlat.Id] = FlattenOfFlat,
        [InternalError.Id] = InternalError,
        [ReshapeInfer.Id] = ReshapeInfer,
        [InputPlacement.Id] = InputPlacement,
        [UnknownInitializer.Id] = UnknownInitializer,
        [GenericNetwork.Id] = GenericNetwork,
        [DuplicateName.Id] = DuplicateName,
        [UnsupportedLayer.Id] = UnsupportedLayer,
        [CapacityNotPositive.Id] = CapacityNotPositive,
        [WrongRank.Id] = WrongRank,
        [WindowTooLarge.Id] = WindowTooLarge,
        [OutputPaddingTooLarge.Id] = OutputPaddingTooLarge,
        [StridesWithDilation.Id] = StridesWithDilation,
        [PaddingNotAllowed.Id] = PaddingNotAllowed,
        [WrongValueCount.Id] = WrongValueCount,
        [AxisOutOfRange.Id] = AxisOutOfRange,
        [GroupsDoNotDivide.Id] = GroupsDoNotDivide,
        [NegativeStddev.Id] = NegativeStddev,
        [TokenIdMismatch.Id] = TokenIdMismatch,
        [AxisNotSupported.Id] = AxisNotSupported,
        [MaskDropped.Id] = MaskDropped,
        [UnknownInputName.Id] = UnknownInputName,
        [ReadsLaterLayer.Id] = ReadsLaterLayer,
        [MergeShapes.Id] = MergeShapes,
        [InputCount.Id] = InputCount,
        [DotAxes.Id] = DotAxes,
        [NotAPermutation.Id] = NotAPermutation,
        [LambdaMethod.Id] = LambdaMethod,
        [UnusedInput.Id] = UnusedInput,
        [UnusedLayer.Id] = UnusedLayer,
        [WeightsFileMissing.Id] = WeightsFileMissing,
        [WeightsMismatch.Id] = WeightsMismatch,
        [WeightsFileFormat.Id] = WeightsFileFormat,
        [LayersWithoutNetwork.Id] = LayersWithoutNetwork,
        [UnsupportedClass.Id] = UnsupportedClass,
        [InvalidName.Id] = InvalidName,
        [NameCollision.Id] = NameCollision,
        [DuplicateOutput.Id] = DuplicateOutput,
        [TooLarge.Id] = TooLarge,
        [NumberOutOfRange.Id] = NumberOutOfRange,
        [NullArgument.Id] = NullArgument,
        [RecurrentOptionUnsupported.Id] = RecurrentOptionUnsupported,
        [UnknownOutputPort.Id] = UnknownOutputPort,
        [TimeDistributedUnsupported.Id] = TimeDistributedUnsupported,
        [TimeDistributedRank.Id] = TimeDistributedRank,
        [CellMethod.Id] = CellMethod,
        [CellType.Id] = CellType,
        [CellSizes.Id] = CellSizes,
        [CellInput.Id] = CellInput,
        [CellWeight.Id] = CellWeight,
        [AttentionShapes.Id] = AttentionShapes,
        [CausalMaskNotAllowed.Id] = CausalMaskNotAllowed,
        [AttentionAxesNotSupported.Id] = AttentionAxesNotSupported,
        [SequenceTooLong.Id] = SequenceTooLong,
        [MaskDoesNotApply.Id] = MaskDoesNotApply,
        [ValueNotAllowed.Id] = ValueNotAllowed,
        [WeightOptionWithoutWeight.Id] = WeightOptionWithoutWeight,
        [WeightOptionInvalid.Id] = WeightOptionInvalid,
    };

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
