#!/usr/bin/env bash
# Parrot's main job on its built-in corpus: English speech synthesized by eSpeak NG, with the
# synthesizer's own phone times as the reference alignment. Needs no downloaded corpus.
#
#   recipes/tts/run.sh [--stage N] [--stop-stage N] [--nj N] [--train N] [--test N] [--seed S]
#
# Outputs go under exp/tts/ in the current directory.
# Stages: 0 build the corpus (train: 10 voices, test: 2 unseen voices and unseen sentences),
#         1 validate it, 2 features (40 log-Mel bins, 16 kHz).
# (Training, alignment, decoding and scoring stages arrive with issues 4-7.)
usage="usage: recipes/tts/run.sh [--stage N] [--stop-stage N] [--nj N] [--train N] [--test N] [--seed S]"
train=2000
test=200
seed=1
source "$(dirname "$0")/../common/recipe.sh"

corpus_tool="$(dirname "$parrot")/parrot-corpus"
[ -x "$corpus_tool" ] || { echo "parrot-corpus not found next to $parrot: run ./setup.sh" >&2; exit 1; }
exp="$PWD/exp/tts"
data="$exp/data"
mkdir -p "$exp"

if stage 0 "build the corpus: $train training and $test test utterances, seed $seed"; then
  rm -rf "$data"
  "$corpus_tool" "$data" --train "$train" --test "$test" --seed "$seed" --nj "$nj"
  stage_done 0
fi

if stage 1 "validate"; then
  for set in train test; do "$parrot" validate "$data/$set" --nj "$nj"; done
  stage_done 1
fi

if stage 2 "features (40 log-Mel bins, 16 kHz)"; then
  for set in train test; do "$parrot" features "$data/$set" "$exp/feats/$set" --nj "$nj"; done
  stage_done 2
fi

log "done: corpus in $data (reference alignments: {train,test}/phones.ctm, words.ctm), features in $exp/feats"
