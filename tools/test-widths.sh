#!/usr/bin/env bash
# Runs the kernel tests (Tests/NetGen.Tests/Kernels) once per SIMD width this machine has, so the AVX-512, AVX2 and
# 128-bit (SSE; the portable NativeAOT build's and ARM64's width) paths of every kernel family are all checked
# against their references here: the runtime switches DOTNET_EnableAVX512=0 and DOTNET_EnableAVX=0 make the JIT
# report the narrower hardware, so Vector512/Vector256.IsHardwareAccelerated (and Vector<T>) follow.
# NETGEN_EXPECT_VECTOR_BITS tells VectorWidthTests which width the run must get.
# Usage: bash tools/test-widths.sh [--no-build]   (CI passes --no-build after its own build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=()
[ "${1:-}" = "--no-build" ] && build=(--no-build)
filter="FullyQualifiedName~NetGen.Tests.Kernels"
runs=()
if grep -qw avx512f /proc/cpuinfo; then runs+=("512:"); fi
if grep -qw avx2 /proc/cpuinfo; then runs+=("256:DOTNET_EnableAVX512=0"); fi
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
