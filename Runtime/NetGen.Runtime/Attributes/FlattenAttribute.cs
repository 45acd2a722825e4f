using System;

namespace NetGen;

/// <summary>Flattens each sample to one axis in row-major (channels-last) order. No data moves.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}
