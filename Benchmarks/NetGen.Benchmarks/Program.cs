using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--quick") return NetGen.Benchmarks.Quick.Run(args[1..]);
if (args.Length > 0 && args[0] == "--ort") return NetGen.Benchmarks.OrtPeer.Run(args);
if (args.Length > 0 && args[0] == "--mha") return NetGen.Benchmarks.AttentionPeer.Run(args);
if (args.Length > 0 && args[0] == "--lstm") return NetGen.Benchmarks.LstmPeer.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(NetGen.Benchmarks.Networks).Assembly).Run(args);
return 0;
