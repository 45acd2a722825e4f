#!/usr/bin/env bash
# NativeAOT check (CI step): publishes Samples/EmbeddedInference with PublishAot=true, runs the native binary on committed test images
# (as a file argument and on stdin), and checks that every prediction equals the JIT build's (net10.0): same class,
# probability within 1e-6. Skipped only when NETGEN_SKIP_AOT=1, and then it says so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${NETGEN_SKIP_AOT:-}" = "1" ]; then
  echo "AOT check: SKIPPED because NETGEN_SKIP_AOT=1"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
images=Tests/NetGen.Tests/Fixtures/fashion-mnist-slice/t10k-images-idx3-ubyte.gz
count=50

echo "AOT check: dotnet publish Samples/EmbeddedInference -r linux-x64 -p:PublishAot=true"
dotnet publish Samples/EmbeddedInference/EmbeddedInference.csproj -c Release -r linux-x64 \
  -p:PublishAot=true -warnaserror -o "$work/native" 2>&1 | tail -n 3
native="$work/native/EmbeddedInference"
[ -x "$native" ] || { echo "AOT check: no native binary at $native" >&2; exit 1; }
echo "AOT check: native binary $(stat -c %s "$native") bytes"

dotnet build Samples/EmbeddedInference/EmbeddedInference.csproj -c Release -f net10.0 -warnaserror -v q -nologo > "$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
jit=(dotnet "Samples/EmbeddedInference/bin/Release/net10.0/EmbeddedInference.dll")

"$native" "$images" --count "$count" > "$work/native.txt"
"${jit[@]}" "$images" --count "$count" > "$work/jit.txt"
# stdin: the same IDX file, decompressed.
gzip -dc "$images" | "$native" --count "$count" > "$work/native-stdin.txt"

compare() { # file-a file-b
  awk -v tol=1e-6 'NR == FNR { a[FNR] = $0; n = FNR; next }
    {
      if (!(FNR in a)) { print "extra line " FNR ": " $0; bad = 1; next }
      split(a[FNR], x, " "); split($0, y, " ")
      px = x[length(x)]; py = y[length(y)]; cx = a[FNR]; cy = $0
      sub(/ [^ ]+$/, "", cx); sub(/ [^ ]+$/, "", cy)
      d = px - py; if (d < 0) d = -d
      if (cx != cy || d > tol) { print "line " FNR ": " a[FNR] " vs " $0; bad = 1 }
      m = FNR
    }
    END { if (m != n) { print m " lines vs " n; bad = 1 } exit bad }' "$1" "$2"
}
lines=$(wc -l < "$work/native.txt")
[ "$lines" -eq "$count" ] || { echo "AOT check: expected $count predictions, got $lines" >&2; exit 1; }
compare "$work/jit.txt" "$work/native.txt" || { echo "AOT check: FAILED, native and JIT predictions differ" >&2; exit 1; }
compare "$work/native.txt" "$work/native-stdin.txt" || { echo "AOT check: FAILED, stdin and file input differ" >&2; exit 1; }
if cmp -s "$work/jit.txt" "$work/native.txt"; then same="bit for bit (identical output)"; else same="within 1e-6"; fi
echo "AOT check: passed, $count native predictions equal the JIT build's $same"
