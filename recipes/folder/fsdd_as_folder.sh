#!/usr/bin/env bash
# Lays the spoken-digit recordings (FSDD) out as a corpus folder, as MFA users keep corpora: a
# folder per speaker, each recording (a symbolic link) beside a .lab file with its word.
#   recipes/folder/fsdd_as_folder.sh [FSDD_DIR] OUT
# FSDD_DIR holds recordings/ (default: fsdd/ in the corpora folder; see the README, Corpora).
# e.g.: recipes/folder/fsdd_as_folder.sh /tmp/fsdd-folder && recipes/folder/run.sh /tmp/fsdd-folder --sample-rate 8000
set -euo pipefail
source "$(dirname "$0")/../common/corpora.sh"
case $# in
  1) fsdd="$(find_corpora)/fsdd"; out=$1 ;;
  2) fsdd=$1; out=$2 ;;
  *) echo "usage: recipes/folder/fsdd_as_folder.sh [FSDD_DIR] OUT" >&2; exit 2 ;;
esac
[ -d "$fsdd/recordings" ] || { echo "no recordings/ in '$fsdd' (./setup.sh --corpora downloads fsdd)" >&2; exit 1; }
fsdd="$(cd "$fsdd" && pwd)"
names=(zero one two three four five six seven eight nine)
count=0
for f in "$fsdd"/recordings/*.wav; do
  base=$(basename "$f" .wav)               # DIGIT_SPEAKER_TAKE
  IFS=_ read -r digit speaker _ <<< "$base"
  mkdir -p "$out/$speaker"
  ln -sfn "$f" "$out/$speaker/$base.wav"
  echo "${names[$digit]}" > "$out/$speaker/$base.lab"
  count=$((count + 1))
done
echo "$out: $count recordings of $(ls "$out" | wc -l) speakers, each beside a .lab file"
