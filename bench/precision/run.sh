#!/usr/bin/env bash
# FP32 against BF16 for the BiLSTM's matrix products (run on demand; not a test).
#
#   bench/precision/run.sh
#
# On one thread, best of 20, for the shapes of a 3 x 256 BiLSTM (the recurrent product of a
# batch of 16; the input projections of 16 x 400 frames, 40 and 512 inputs, 1,024 gate outputs):
#   - OpenBLAS SGEMM, Parrot's packed FP32 kernel and its packed BF16 kernel (AVX512_BF16's
#     VDPBF16PS, BF16 inputs, FP32 sums), with the BF16 result's largest error (parrot-bench bf16);
#   - oneDNN's matmul in FP32 and in BF16 (weights reordered once, activations converted every
#     call), when libdnnl-dev is installed (apt-get install libdnnl-dev).
# Prints GFLOP/s. Needs a CPU with AVX512_BF16.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -qw avx512_bf16 /proc/cpuinfo || { echo "bench/precision: this CPU has no AVX512_BF16" >&2; exit 1; }
echo "==> Building (release)"
(cd "$root" && swift build -c release --product parrot-bench >/dev/null)
bin="$(cd "$root" && swift build -c release --show-bin-path)"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX   # as parrot itself selects on AVX-512 CPUs
fi
echo "==> GFLOP/s, one thread"
"$bin/parrot-bench" bf16 > "$work/parrot.tsv"
if [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] && g++ -O2 -std=c++17 "$root/bench/precision/onednn_matmul.cpp" -o "$work/onednn" -ldnnl 2> "$work/build.log"; then
  "$work/onednn" > "$work/onednn.tsv"
else
  printf 'none\t-\t-\n' > "$work/onednn.tsv"
  echo "(oneDNN not measured: needs oneDNN 2.x, apt-get install libdnnl-dev on Debian 12; compiler said:)"
  tail -3 "$work/build.log" 2>/dev/null | sed 's/^/    /' || true   # no log when the header is missing
fi
awk -F'\t' '
  NR == FNR { f32[$1] = $2; bf16[$1] = $3; next }
  FNR == 1 { printf "%-24s %8s %14s %14s %12s %12s %12s\n", "shape", "SGEMM", "Parrot fp32", "Parrot bf16", "oneDNN fp32", "oneDNN bf16", "bf16 error"; next }
  { printf "%-24s %8s %14s %14s %12s %12s %12s\n", $1, $2, $3, $4, ($1 in f32) ? f32[$1] : "-", ($1 in bf16) ? bf16[$1] : "-", $5 }' \
  "$work/onednn.tsv" "$work/parrot.tsv"
