#!/usr/bin/env bash
# Measures Samples/EmbeddedInference: binary sizes, start-to-first-prediction time and per-image latency of the
# NativeAOT builds (portable default and x86-64-v3) against the JIT build. Start-to-first-prediction is the wall
# clock from just before the process is started (date +%s%N) to the moment the program has its first prediction
# (it prints that time with --timing). Usage: bash tools/measure-embedded.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
images=Tests/NetGen.Tests/Fixtures/fashion-mnist-slice/t10k-images-idx3-ubyte.gz
p=Samples/EmbeddedInference/EmbeddedInference.csproj
dotnet publish $p -c Release -r linux-x64 -p:PublishAot=true -warnaserror -o "$work/native" > /dev/null
dotnet publish $p -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=x86-x64-v3 -warnaserror -o "$work/v3" > /dev/null
dotnet build $p -c Release -f net10.0 -warnaserror > /dev/null
declare -A cmd=([native]="$work/native/EmbeddedInference" [native-v3]="$work/v3/EmbeddedInference"
  [jit]="dotnet Samples/EmbeddedInference/bin/Release/net10.0/EmbeddedInference.dll")
echo "sizes: native $(stat -c %s "$work/native/EmbeddedInference") B, native-v3 $(stat -c %s "$work/v3/EmbeddedInference") B," \
  "jit $(stat -c %s Samples/EmbeddedInference/bin/Release/net10.0/EmbeddedInference.dll) B dll + $(stat -c %s Samples/EmbeddedInference/bin/Release/net10.0/NetGen.Runtime.dll) B NetGen.Runtime.dll + shared runtime"
declare -A first
for ((i = 0; i < runs; i++)); do
  for name in native native-v3 jit; do
    t0=$(date +%s%N)
    ${cmd[$name]} "$images" --count 1 --timing > /dev/null 2> "$work/err"
    t=$(grep -o '[0-9]*$' "$work/err")
    first[$name]+="$(( (t - t0) / 1000 )) "
  done
done
for name in native native-v3 jit; do
  sorted=($(echo ${first[$name]} | tr ' ' '\n' | sort -n))
  echo "$name: start to first prediction median $(( sorted[${#sorted[@]} / 2] / 1000 )).$(( sorted[${#sorted[@]} / 2] % 1000 / 100 )) ms, min $(( sorted[0] / 1000 )).$(( sorted[0] % 1000 / 100 )) ms ($runs runs)"
  for k in 1 2 3 4 5; do echo -n "$name "; ${cmd[$name]} "$images" --count 200 --repeat 500 2>&1 > /dev/null; done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
