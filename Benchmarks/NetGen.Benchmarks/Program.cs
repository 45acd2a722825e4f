using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(NetGen.Benchmarks.Networks).Assembly).Run(args);
