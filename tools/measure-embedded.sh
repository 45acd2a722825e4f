#!/usr/bin/env bash
# Measures Samples/EmbeddedInference (MLP and CNN) in one run: binary size, start to first prediction and per-image
# latency of each NativeAOT build against the JIT build, all interleaved (round r runs every build once), so a noisy
# neighbour slows all builds alike. Builds:
#   jit        dotnet run of the net10.0 build (JIT, tiered, this machine's instruction sets)
#   portable   NativeAOT, default instruction set (x86-64 baseline: 128-bit SSE kernels)
#   x86-64-v3  NativeAOT, -p:IlcInstructionSet=x86-64-v3 (AVX2 + FMA: 256-bit kernels)
#   x86-64-v4  NativeAOT, -p:IlcInstructionSet=x86-64-v4 (AVX-512 F/BW/CD/DQ/VL: 512-bit kernels)
#   native     NativeAOT, -p:IlcInstructionSet=native (every instruction set of this machine: AVX-512 here)
# Start to first prediction: wall clock from just before the process starts (bash's $EPOCHREALTIME, read right before
# the fork) to the moment the program has its first prediction of the file's first image (it prints that time with
# --timing); min and median over START_RUNS starts. Neither the clock nor the pinning costs a process of its own: the
# measuring shell pins itself (and so every process it starts) to the core, instead of a taskset process per start, and
# $EPOCHREALTIME replaces a date process (both added 1-3 ms of process start-up of their own to every figure).
# Latency: mean µs per image of a timed loop of --repeat passes (MLP 100,000 predictions, CNN 10,000), batch 1;
# median and range over LATENCY_RUNS runs; the bytes the timed loop allocated are printed too. Every process runs
# pinned to one core (taskset -c 1: Environment.ProcessorCount is then 1, so the kernels run single-threaded and a
# batch-1 latency does not depend on getting a second core on a shared machine).
# Usage: bash tools/measure-embedded.sh [--prebuilt DIR] [LATENCY_RUNS=5] [START_RUNS=21]
#   --prebuilt DIR  use DIR/portable, DIR/x86-64-v3, DIR/x86-64-v4 and DIR/native (each holding EmbeddedInference)
#                   instead of publishing them (four native builds take long on a loaded machine); a build missing
#                   there is left out
#   NETGEN_BUILDS="portable native"  measure only these native builds (the JIT build is always measured)
set -euo pipefail
cd "$(dirname "$0")/.."
prebuilt=""
if [ "${1:-}" = "--prebuilt" ]; then prebuilt=$(cd "$2" && pwd); shift 2; fi
runs=${1:-5}
starts=${2:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
images=Tests/NetGen.Tests/Fixtures/fashion-mnist-slice/t10k-images-idx3-ubyte.gz
p=Samples/EmbeddedInference/EmbeddedInference.csproj
native_builds=(${NETGEN_BUILDS:-portable x86-64-v3 x86-64-v4 native})
builds=(jit "${native_builds[@]}")
declare -A isa=([portable]="" [x86-64-v3]="-p:IlcInstructionSet=x86-64-v3" [x86-64-v4]="-p:IlcInstructionSet=x86-64-v4" [native]="-p:IlcInstructionSet=native")
for b in "${native_builds[@]}"; do
  if [ -n "$prebuilt" ]; then
    if [ -x "$prebuilt/$b/EmbeddedInference" ]; then
      mkdir -p "$work/$b" && cp "$prebuilt/$b/EmbeddedInference" "$work/$b/"
    else
      builds=("${builds[@]/$b}")
    fi
  else
    dotnet publish $p -c Release -r linux-x64 -p:PublishAot=true ${isa[$b]} -warnaserror -o "$work/$b" > /dev/null
  fi
done
dotnet build $p -c Release -f net10.0 -warnaserror > /dev/null
jitdir=Samples/EmbeddedInference/bin/Release/net10.0
cores=$(nproc) # before pinning (then nproc says 1)
taskset -cp 1 $$ > /dev/null # this shell and every process it starts from here on: one core
declare -A cmd=([jit]="dotnet $jitdir/EmbeddedInference.dll")
declare -A size=([jit]="$(( $(stat -c %s $jitdir/EmbeddedInference.dll) + $(stat -c %s $jitdir/NetGen.Runtime.dll) )) B of dlls + the shared runtime")
builds=($(printf '%s\n' "${builds[@]}" | grep .))
for b in "${builds[@]:1}"; do
  cmd[$b]="$work/$b/EmbeddedInference"
  size[$b]="$(stat -c %s "$work/$b/EmbeddedInference") B"
done
declare -A first lat alloc
for ((i = 0; i < starts; i++)); do
  for b in "${builds[@]}"; do
    for model in mlp cnn; do
      t0=${EPOCHREALTIME/./} # µs
      ${cmd[$b]} "$images" --model $model --count 1 --timing > /dev/null 2> "$work/err"
      t=$(grep -o '[0-9]*$' "$work/err")
      first[$b-$model]+="$(( t / 1000 - t0 )) "
    done
  done
done
for ((i = 0; i < runs; i++)); do
  for b in "${builds[@]}"; do
    for model in mlp cnn; do
      repeat=500; [ $model = cnn ] && repeat=50
      line=$(${cmd[$b]} "$images" --model $model --count 200 --repeat $repeat 2>&1 > /dev/null)
      lat[$b-$model]+="$(echo "$line" | sed -E 's/latency: ([0-9.]+) us.*/\1/') "
      alloc[$b-$model]=$(echo "$line" | sed -E 's/.*, ([0-9]+) bytes allocated.*/\1/')
    done
  done
done
stats() { # values... -> "median (min-max)" with one decimal
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f (%.1f-%.1f)", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'
}
ms() { # microsecond values... -> "min / median ms"
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f / %.1f", v[1] / 1000, v[int((NR + 1) / 2)] / 1000 }'
}
echo "| build | size | model | start to first prediction, min / median (ms) | latency µs/image, median (range) | vs JIT | bytes allocated in the timed loop |"
echo "|---|---|---|---|---|---|---|"
for model in mlp cnn; do
  jitmed=$(printf '%s\n' ${lat[jit-$model]} | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  for b in "${builds[@]}"; do
    med=$(printf '%s\n' ${lat[$b-$model]} | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
    echo "| $b | ${size[$b]} | $model | $(ms ${first[$b-$model]}) | $(stats ${lat[$b-$model]}) | $(awk -v a="$med" -v b="$jitmed" 'BEGIN { printf "%.2fx", a / b }') | ${alloc[$b-$model]} |"
  done
done
echo
echo "$runs latency runs and $starts starts per build and model, interleaved; load average $(cut -d' ' -f1-3 /proc/loadavg) on $cores cores; $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
