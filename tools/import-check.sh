#!/usr/bin/env bash
# The `netgen` tool as a new user gets it: packs the NetGen package and the NetGen.Cli tool into a local feed,
# installs the tool with `dotnet tool install --tool-path`, imports the committed PyTorch export of the sample CNN
# (Tests/NetGen.Cli.Tests/Fixtures/onnx/sample_cnn.onnx) with the weights baked in, builds a fresh console project that
# references only the NetGen package from the feed plus the generated .cs and weights, runs it on the fixture's inputs
# and compares with PyTorch's outputs (max |difference| <= 1e-5); the same project also declares a small MLP by hand and
# trains, evaluates, saves and reloads it through the package (the training API a new user reaches for first). A unique prerelease version keeps the global
# package cache from serving an older build. Skipped only when NETGEN_SKIP_IMPORT_CHECK=1, and then it says so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${NETGEN_SKIP_IMPORT_CHECK:-}" = "1" ]; then
  echo "import check: SKIPPED because NETGEN_SKIP_IMPORT_CHECK=1"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-importcheck.$(date +%s)"
feed="$work/feed"
fixture="$PWD/Tests/NetGen.Cli.Tests/Fixtures/onnx/sample_cnn"

echo "import check: packing NetGen and NetGen.Cli $version"
dotnet pack Runtime/NetGen.Runtime/NetGen.Runtime.csproj -c Release -o "$feed" -p:Version="$version" -warnaserror -v q -nologo > "$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; exit 1; }
dotnet pack tools/NetGen.Cli/NetGen.Cli.csproj -c Release -o "$feed" -p:Version="$version" -warnaserror -v q -nologo >> "$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; exit 1; }

echo "import check: dotnet tool install NetGen.Cli from the local feed"
dotnet tool install --tool-path "$work/tools" --add-source "$feed" --version "$version" NetGen.Cli > "$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; exit 1; }

app="$work/app"
mkdir -p "$app"
"$work/tools/netgen" import "$fixture.onnx" --class SampleCnn --namespace ImportCheck --bake -o "$app"

cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$app/ImportCheck.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="NetGen" Version="$version" />
    <AdditionalFiles Include="SampleCnn.weights.txt" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using ImportCheck;
using NetGen;
using NetGen.Optimizers;
using NetGen.Training;

// A network declared by hand, as README's first example: compile, fit, evaluate, save, load into a new instance.
var rng = new Random(1);
var tx = new float[256 * 12];
var ty = new float[256 * 3];
for (int i = 0; i < 256; i++)
{
    for (int j = 0; j < 12; j++) tx[i * 12 + j] = (float)(rng.NextDouble() * 2 - 1);
    int cls = tx[i * 12] > 0.3f ? 0 : tx[i * 12 + 1] > 0 ? 1 : 2; // a rule the network can learn
    ty[i * 3 + cls] = 1;
}
var mlp = new HandMlp(seed: 3);
mlp.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
float before = mlp.Evaluate(tx, ty).Loss;
var history = mlp.Fit(tx, ty, new FitOptions { Epochs = 20, BatchSize = 32, ValidationSplit = 0.25, Callbacks = new Callback[] { new EarlyStopping(patience: 5) } });
var evaluation = mlp.Evaluate(tx, ty);
var weightsPath = Path.Combine(Path.GetTempPath(), $"import-check-{Environment.ProcessId}.weights");
mlp.Save(weightsPath);
var copy = new HandMlp(seed: 99);
copy.Load(weightsPath);
File.Delete(weightsPath);
var p1 = new float[3];
var p2 = new float[3];
mlp.Predict(tx.AsSpan(0, 12), p1);
copy.Predict(tx.AsSpan(0, 12), p2);
Console.WriteLine($"hand-declared MLP: loss {before:F3} -> {evaluation.Loss:F3}, accuracy {evaluation.Accuracy:F3} after {history.Epochs} epochs; saved and loaded: {(p1.SequenceEqual(p2) ? "same predictions" : "DIFFERENT predictions")}");
if (!(evaluation.Loss < before * 0.7f && evaluation.Accuracy > 0.8f && p1.SequenceEqual(p2))) return 2;

// Runs the imported CNN with its baked weights on the fixture's inputs (NCHW, transposed to NHWC) and compares.
using var doc = JsonDocument.Parse(File.ReadAllText(args[0]));
var root = doc.RootElement;
var shape = root.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
var x = root.GetProperty("input").EnumerateArray().Select(e => e.GetSingle()).ToArray();
var expected = root.GetProperty("output").EnumerateArray().Select(e => e.GetSingle()).ToArray();
int n = shape[0], c = shape[1], s = x.Length / (n * c);
var nhwc = new float[x.Length];
for (int b = 0; b < n; b++)
    for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < s; i++)
            nhwc[(b * s + i) * c + ch] = x[(b * c + ch) * s + i];
var net = SampleCnn.FromBakedWeights();
var y = new float[n * SampleCnn.OutputLength];
net.Predict(nhwc, y, n);
float max = 0;
for (int i = 0; i < y.Length; i++) max = Math.Max(max, Math.Abs(y[i] - expected[i]));
Console.WriteLine($"imported CNN, baked weights: max |NetGen - PyTorch| = {max:E2} over {y.Length} outputs");
return max <= 1e-5f ? 0 : 1;

[Network]
[Input(12)]
[Dense(16, Activation = Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class HandMlp { }
CS

echo "import check: building a fresh console project against the NetGen package"
(cd "$app" && dotnet build -c Release -v q -nologo > "$work/build.log" 2>&1) || { cat "$work/build.log" >&2; exit 1; }
dotnet "$app/bin/Release/net10.0/ImportCheck.dll" "$fixture.json"
echo "import check: OK"
