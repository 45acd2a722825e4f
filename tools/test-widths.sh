#!/usr/bin/env bash
# Runs the kernel tests (Tests/NetGen.Tests/Kernels) once per SIMD width this machine has, so the AVX-512, AVX2 and
# 128-bit (SSE; the portable NativeAOT build's and ARM64's width) paths of every kernel family are all checked
# against their references here: the runtime switches DOTNET_EnableAVX512=0 and DOTNET_EnableAVX=0 make the JIT
# report the narrower hardware, so Vector512/Vector256.IsHardwareAccelerated (and Vector<T>) follow.
# NETGEN_EXPECT_VECTOR_BITS tells VectorWidthTests which width the run must get.
# Usage: bash tools/test-widths.sh [--no-build] [--capped-only]
#   --no-build     use the test build that is there (CI builds first)
#   --capped-only  skip the full-width run (CI's main test run is that one)
set -euo pipefail
cd "$(dirname "$0")/.."
build=()
capped_only=0
for arg in "$@"; do
  case $arg in
    --no-build) build=(--no-build) ;;
    --capped-only) capped_only=1 ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
filter="FullyQualifiedName~NetGen.Tests.Kernels"
runs=()
if grep -qw avx512f /proc/cpuinfo && [ $capped_only = 0 ]; then runs+=("512:"); fi
if grep -qw avx512f /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then runs+=("256:DOTNET_EnableAVX512=0")
elif grep -qw avx2 /proc/cpuinfo && [ $capped_only = 0 ]; then runs+=("256:"); fi
runs+=("128:DOTNET_EnableAVX=0")
status=0
for run in "${runs[@]}"; do
  bits=${run%%:*}
  switch=${run#*:}
  echo "kernel tests at ${bits}-bit vectors${switch:+ ($switch)}"
  log=$(mktemp)
  env ${switch:+"$switch"} NETGEN_EXPECT_VECTOR_BITS="$bits" \
    dotnet test Tests/NetGen.Tests -c Release "${build[@]}" --filter "$filter" > "$log" 2>&1 || status=1
  grep -E "Passed!|Failed!|error" "$log" || { tail -n 30 "$log"; status=1; }
  rm -f "$log"
done
exit $status
