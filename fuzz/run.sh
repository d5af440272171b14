#!/usr/bin/env bash
# Runs one libFuzzer target for a number of seconds and prints what it found.
#
#   fuzz/run.sh TARGET SECONDS       e.g. fuzz/run.sh fuzz-archive 600
#   fuzz/run.sh --list               the targets
#
# Builds fuzz/ (every module with -sanitize=fuzzer,address) into fuzz/.build, seeds the corpus
# in fuzz/.build/corpus/TARGET with valid files made by bin/parrot and Python, runs the fuzzer on
# one core and keeps any crashing input as fuzz/.build/findings/TARGET-crash-*. Exit status 0
# when nothing was found, 1 when the fuzzer found a crash, leak or timeout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
targets="fuzz-archive fuzz-scp fuzz-datadir fuzz-lexicon fuzz-arpa fuzz-grammar fuzz-model fuzz-audio fuzz-textgrid"

if [ "${1:-}" = "--list" ]; then echo $targets | tr ' ' '\n'; exit 0; fi
if [ $# -ne 2 ] || ! [[ " $targets " == *" $1 "* ]] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh TARGET SECONDS   (targets: $targets)" >&2
  exit 64
fi
target=$1 seconds=$2

echo "==> Building $target with -sanitize=fuzzer,address"
build_log="$here/.build/build-$target.log"
mkdir -p "$here/.build"
# Package.swift optimises the libraries in debug builds too; a run of a minute or less (CI's)
# builds them unoptimised instead: the build is quicker by more than the faster executions buy.
unoptimised=()
[ "$seconds" -gt 60 ] || unoptimised=(-Xswiftc -Onone)
if ! (cd "$here" && swift build -c debug --product "$target" -Xswiftc -sanitize=fuzzer,address "${unoptimised[@]}") > "$build_log" 2>&1; then
  grep -E "error" "$build_log" | grep -v "Cannot export" | head -20 >&2
  echo "build of $target failed, see $build_log" >&2
  exit 2
fi
binary="$here/.build/debug/$target"

corpus="$here/.build/corpus/$target"
findings="$here/.build/findings"
mkdir -p "$corpus" "$findings"
if [ -z "$(ls -A "$corpus")" ]; then
  echo "==> Seeding $corpus"
  "$here/make_seeds.sh" "$target" "$corpus"
fi

echo "==> Fuzzing $target for $seconds s ($(ls "$corpus" | wc -l) inputs in the corpus)"
log="$here/.build/$target.log"
started=$(date +%s)
set +e
# Swift's own crash handler would run inside the sanitizer's; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no
# Leaks inside Foundation (not Parrot) would otherwise be reported as findings at exit.
export LSAN_OPTIONS="suppressions=$root/Tests/Sanitizers/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# rss_limit: parsers must not need more than 2 GB for any input of up to 64 kB.
"$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$findings/$target-" -print_final_stats=1 > "$log" 2>&1
status=$?
set -e
rm -rf /dev/shm/parrot-fuzz-* 2>/dev/null || true
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|ERROR|SUMMARY|Test unit written" "$log" || true
crashes=$(ls "$findings" | grep -c "^$target-" || true)
echo "$target: $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?') executions in $(( $(date +%s) - started )) s, corpus $(ls "$corpus" | wc -l) inputs, $crashes finding(s) in $findings"
[ "$status" = 0 ] && [ "$crashes" = 0 ]
