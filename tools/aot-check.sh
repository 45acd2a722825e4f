#!/usr/bin/env bash
# NativeAOT check (CI step): publishes Samples/EmbeddedInference natively four ways and checks every native binary's
# predictions, MLP and CNN, on committed test images against the JIT build's (net10.0, this machine):
#   portable  linux-x64, default instruction set (x86-64 baseline: the 128-bit kernels)
#   x86-64-v4 linux-x64, -p:IlcInstructionSet=x86-64-v4 (AVX-512 F/BW/CD/DQ/VL: the 512-bit kernels); run only on a
#             CPU that has those (the binary refuses to start elsewhere), else it is published and the run is skipped
#             with a message
#   native    linux-x64, -p:IlcInstructionSet=native (this machine's instruction sets: AVX-512 here)
#   arm64     linux-arm64, cross-compiled here (clang, lld, the aarch64 cross libc) and run under qemu-aarch64
# Same class everywhere; probability within 1e-6 on x64 and 1e-5 on ARM64 (other rounding of the same sums).
# The ARM64 run is a correctness check only: emulated timings mean nothing.
# Needs clang, lld, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user-static (.ci/run installs them);
# if any is missing the check fails, saying what is missing. Skipped only when NETGEN_SKIP_AOT=1, and then it
# says so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${NETGEN_SKIP_AOT:-}" = "1" ]; then
  echo "AOT check: SKIPPED because NETGEN_SKIP_AOT=1"
  exit 0
fi

missing=()
for tool in clang ld.lld aarch64-linux-gnu-gcc qemu-aarch64-static; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
[ -d /usr/aarch64-linux-gnu/lib ] || missing+=("/usr/aarch64-linux-gnu/lib (libc6-dev-arm64-cross)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "AOT check: FAILED, missing ${missing[*]}" >&2
  echo "  install: apt-get install -y clang lld gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
images=Tests/NetGen.Tests/Fixtures/fashion-mnist-slice/t10k-images-idx3-ubyte.gz
count=50
p=Samples/EmbeddedInference/EmbeddedInference.csproj

publish() { # name rid extra-args...
  local name=$1 rid=$2
  shift 2
  echo "AOT check: dotnet publish $p -r $rid -p:PublishAot=true $*"
  dotnet publish $p -c Release -r "$rid" -p:PublishAot=true "$@" -warnaserror -o "$work/$name" > "$work/$name.log" 2>&1 \
    || { tail -n 30 "$work/$name.log" >&2; echo "AOT check: FAILED to publish $name" >&2; exit 1; }
  [ -x "$work/$name/EmbeddedInference" ] || { echo "AOT check: no native binary at $work/$name/EmbeddedInference" >&2; exit 1; }
  echo "AOT check: $name binary $(stat -c %s "$work/$name/EmbeddedInference") bytes"
}
publish portable linux-x64
publish x86-64-v4 linux-x64 -p:IlcInstructionSet=x86-64-v4
publish native linux-x64 -p:IlcInstructionSet=native
# Cross-compiling to ARM64: the ILCompiler targets arm64 and links with clang --target=aarch64-linux-gnu against
# the Debian cross libc; objcopy (for the symbol file) is the cross binutils' one.
publish arm64 linux-arm64 -p:LinkerFlavor=lld -p:ObjCopyName=aarch64-linux-gnu-objcopy

dotnet build $p -c Release -f net10.0 -warnaserror -v q -nologo > "$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
jit=(dotnet "Samples/EmbeddedInference/bin/Release/net10.0/EmbeddedInference.dll")
qemu=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
builds=(portable x86-64-v4 native arm64)
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
for f in avx512f avx512bw avx512cd avx512dq avx512vl; do
  if [[ " $flags " != *" $f "* ]]; then
    echo "AOT check: this CPU lacks $f: the x86-64-v4 binary is published but not run"
    builds=(portable native arm64)
    break
  fi
done

compare() { # file-a file-b tolerance
  awk -v tol="$3" 'NR == FNR { a[FNR] = $0; n = FNR; next }
    {
      if (!(FNR in a)) { print "extra line " FNR ": " $0; bad = 1; next }
      split(a[FNR], x, " "); split($0, y, " ")
      px = x[length(x)]; py = y[length(y)]; cx = a[FNR]; cy = $0
      sub(/ [^ ]+$/, "", cx); sub(/ [^ ]+$/, "", cy)
      d = px - py; if (d < 0) d = -d
      if (cx != cy || d > tol) { print "line " FNR ": " a[FNR] " vs " $0; bad = 1 }
      if (d > worst) worst = d
      m = FNR
    }
    END { if (m != n) { print m " lines vs " n; bad = 1 } printf "largest difference %.2g; ", worst; exit bad }' "$1" "$2"
}

for model in mlp cnn; do
  "${jit[@]}" "$images" --model $model --count "$count" > "$work/jit-$model.txt"
  lines=$(wc -l < "$work/jit-$model.txt")
  [ "$lines" -eq "$count" ] || { echo "AOT check: expected $count JIT predictions ($model), got $lines" >&2; exit 1; }
  for name in "${builds[@]}"; do
    run=("$work/$name/EmbeddedInference")
    tol=1e-6
    if [ $name = arm64 ]; then run=("${qemu[@]}" "${run[@]}"); tol=1e-5; fi
    "${run[@]}" "$images" --model $model --count "$count" > "$work/$name-$model.txt"
    if result=$(compare "$work/jit-$model.txt" "$work/$name-$model.txt" $tol); then
      if cmp -s "$work/jit-$model.txt" "$work/$name-$model.txt"; then same="bit for bit"; else same="within $tol"; fi
      echo "AOT check: $name $model: $count predictions equal the JIT build's $same (${result%; })"
    else
      echo "$result" >&2
      echo "AOT check: FAILED, $name $model predictions differ from the JIT build's" >&2
      exit 1
    fi
  done
done
# stdin: the same IDX file, decompressed, must give what the file argument gave.
gzip -dc "$images" | "$work/portable/EmbeddedInference" --count "$count" > "$work/portable-stdin.txt"
cmp -s "$work/portable-mlp.txt" "$work/portable-stdin.txt" || { echo "AOT check: FAILED, stdin and file input differ" >&2; exit 1; }
echo "AOT check: passed (${builds[*]} builds; MLP and CNN; stdin input)"
