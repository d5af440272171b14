#!/usr/bin/env bash
# Features for a data directory as N launcher jobs, the way Kaldi's steps/make_fbank.sh works:
#
#   recipes/common/make_features.sh [--cmd LAUNCHER] [--nj N] DATA_DIR FEATS_DIR [parrot features options ...]
#
# splits DATA_DIR into N parts (split_data.sh: whole speakers per part when there are enough),
# runs `parrot features PART FEATS_DIR/parts/JOB` as job JOB through the launcher (default
# recipes/common/local.sh; logs in FEATS_DIR/log/features.JOB.log), then joins the parts with
# `parrot combine-features` (CMVN statistics summed per speaker, so the result is the same as one
# job's). Utterances that fail are listed in FEATS_DIR/failed.txt; the others are still combined,
# and the exit status is then 1, as for parrot features.
set -euo pipefail
common="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="$common/local.sh"
nj=2
while [ $# -gt 0 ]; do
  case "$1" in
    --cmd) cmd=$2; shift 2 ;;
    --nj) nj=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { echo "usage: $0 [--cmd LAUNCHER] [--nj N] DATA_DIR FEATS_DIR [parrot features options ...]" >&2; exit 2; }
data=$1; feats=$2; shift 2
source "$common/find_parrot.sh"

"$common/split_data.sh" "$data" "$nj"
split_dir=$(ls -td "$data/split${nj}" "$data/split${nj}utt" 2>/dev/null | head -1 || true)
parts=$(ls -d "$split_dir"/[0-9]* | wc -l)
mkdir -p "$feats/log"
status=0
# shellcheck disable=SC2086
$cmd JOB=1:"$parts" "$feats/log/features.JOB.log" "$parrot" features "$split_dir/JOB" "$feats/parts/JOB" --nj 1 "$@" || status=$?
part_dirs=()
for j in $(seq "$parts"); do
  if [ -f "$feats/parts/$j/feats.scp" ]; then part_dirs+=("$feats/parts/$j")
  else echo "$0: part $j produced no features (see $feats/log/features.$j.log)" >&2; status=1; fi
done
[ ${#part_dirs[@]} -gt 0 ] || exit 1
"$parrot" combine-features "$feats" "${part_dirs[@]}"
exit $status
