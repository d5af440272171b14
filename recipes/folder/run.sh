#!/usr/bin/env bash
# From a corpus folder to TextGrids: the Montreal Forced Aligner's layout in, one TextGrid per
# recording out, where the recording is.
#
#   recipes/folder/run.sh CORPUS_FOLDER [--lexicon FILE] [--model DIR] [--sample-rate HZ]
#                         [--speaker-characters N] [--tier NAME] [--stage N] [--stop-stage N] [--nj N]
#
# CORPUS_FOLDER: a sub-folder per speaker; each recording (.wav, .flac, … anything libsndfile
# reads) beside NAME.lab or NAME.txt (its words) or NAME.TextGrid (each non-empty interval of its
# first interval tier, or of --tier NAME, is one utterance of a long recording). --speaker-characters N
# takes the speaker from the first N characters of the file name instead of the sub-folder.
# --lexicon: pronunciations (default: english, the CMU dictionary of Debian's pocketsphinx-en-us,
# with eSpeak NG's pronunciations for words it lacks, listed in model/g2p.txt and align/g2p.txt).
# --model DIR: align with this model instead of training one on the folder.
# --sample-rate: the rate features are computed at when training (8000 for telephone-band or
# 8 kHz recordings; default 16000).
# Outputs go under exp/folder-NAME (NAME: the folder's name): the model in model/, and in align/
# one TextGrid per recording at its path in the folder (align/SPEAKER/RECORDING.TextGrid, tiers
# words and phones), with phones.ctm, words.ctm, alignment.json and alignment.csv for all of them.
# Stages: 0 validate the folder (its problems are listed; the good files go on),
#         1 train from the transcripts alone (parrot train's defaults; skipped with --model),
#         2 align every utterance, 3 summary.
usage="usage: recipes/folder/run.sh CORPUS_FOLDER [--lexicon FILE] [--model DIR] [--sample-rate HZ] [--speaker-characters N] [--tier NAME] [--stage N] [--stop-stage N] [--nj N]"
lexicon=english
model=
sample_rate=16000
speaker_characters=
tier=
source "$(dirname "$0")/../common/recipe.sh"

[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
[ -d "$1" ] || { echo "recipes/folder: '$1' is not a folder; $usage" >&2; exit 1; }
corpus="$(cd "$1" && pwd)"
[ "$lexicon" = english ] || [ -f "$lexicon" ] || { echo "recipes/folder: no lexicon at $lexicon; $usage" >&2; exit 1; }
exp="$PWD/exp/folder-$(basename "$corpus")"
mkdir -p "$exp"
folder_options=()
[ -n "$speaker_characters" ] && folder_options+=(--speaker-characters "$speaker_characters")
[ -n "$tier" ] && folder_options+=(--tier "$tier")

if stage 0 "validate $corpus"; then
  if ! "$parrot" validate "$corpus" --sample-rate "$sample_rate" --nj "$nj" "${folder_options[@]}" > "$exp/validate.txt"; then
    log "the folder has problems (listed in $exp/validate.txt); the files they concern are left out, the rest go on"
  fi
  tail -1 "$exp/validate.txt"
  stage_done 0
fi

if [ -z "$model" ] && stage 1 "train on the folder (a CTC start, then Viterbi re-alignment until the alignments settle)"; then
  # The folder's problems were reported in stage 0; train on what is usable.
  "$parrot" train "$corpus" "$lexicon" "$exp/model" --sample-rate "$sample_rate" --nj "$nj" "${folder_options[@]}" || \
    [ -f "$exp/model/final.mdl" ] || exit 1
  stage_done 1
fi
model="${model:-$exp/model}"

if stage 2 "align every utterance with $model"; then
  "$parrot" align "$model" "$lexicon" "$corpus" "$exp/align" --nj "$nj" "${folder_options[@]}" || \
    [ -f "$exp/align/phones.ctm" ] || exit 1
  stage_done 2
fi

if stage 3 "summary"; then
  grids=$(cd "$exp/align" && find . -name '*.TextGrid' -not -path './textgrids/*' | wc -l)
  log "$grids TextGrids, one per recording, under $exp/align (as in $corpus)"
  [ -f "$exp/align/data/problems.txt" ] && log "files left out, and why: $exp/align/data/problems.txt"
  stage_done 3
fi
