#!/usr/bin/env bash
# The built-in corpus in another language eSpeak NG speaks, and training from transcripts and
# alignment on it with parrot's defaults: nothing here is tuned for the language.
#
#   recipes/language/run.sh LANG [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train N] [--test N] [--seed S] [--words FILE]
#                             [--train-options "..."] [--align-options "..."]
#
# LANG is an eSpeak NG language code (es, de, fr, …; 'espeak-ng --voices' lists them). Its words
# come from a word list (--words FILE, one word per line; default Debian's list for the language,
# e.g. wspanish's /usr/share/dict/spanish, installed by ./setup.sh for es and de).
# --train-options and --align-options go to parrot train and parrot align as they are: none by
# default, since nothing here is tuned (.ci/run passes a short schedule and no adaptation, to
# check that the recipe runs through).
#
# Outputs go under exp/language-LANG/ in the current directory.
# Stages: 0 build the corpus (parrot-corpus --language: ten voice variants for training, two
#           others only for testing, sentences of words drawn from the word list, eSpeak's own
#           phonemes and phone times),
#         1 features (40 log-Mel bins, 16 kHz),
#         2 training (parrot train, default flags: a CTC start, then Viterbi re-alignment),
#         3 a lexicon of the test words from eSpeak NG alone (parrot lexicon --language), as a
#           user without a dictionary would have it; align the test voices with it and with the
#           corpus's own lexicon (the pronunciations as spoken),
#         4 score both alignments against the synthesizer's phone times (parrot eval-align).
usage="usage: recipes/language/run.sh LANG [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train N] [--test N] [--seed S] [--words FILE] [--train-options \"...\"] [--align-options \"...\"]"
train=600
test=100
seed=1
words=
train_options=
align_options=
source "$(dirname "$0")/../common/recipe.sh"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
language=$1

corpus_tool="$(dirname "$parrot")/parrot-corpus"
[ -x "$corpus_tool" ] || { echo "parrot-corpus not found next to $parrot: run ./setup.sh" >&2; exit 1; }
exp="$PWD/exp/language-$language"
data="$exp/data"
mkdir -p "$exp"

if stage 0 "build the corpus in '$language': $train training and $test test utterances, seed $seed"; then
  rm -rf "$data"
  "$corpus_tool" "$data" --language "$language" ${words:+--words "$words"} --train "$train" --test "$test" --seed "$seed" --nj "$nj"
  stage_done 0
fi

if stage 1 "features (40 log-Mel bins, 16 kHz)"; then
  for set in train test; do "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/$set" "$exp/feats/$set"; done
  stage_done 1
fi

if stage 2 "train: a CTC start and Viterbi re-alignment, parrot's defaults${train_options:+ and $train_options}"; then
  "$parrot" train "$exp/feats/train" "$data/lexicon.txt" "$exp/model" --nj "$nj" --cmd "$cmd" $train_options
  stage_done 2
fi

if stage 3 "align the test voices: with eSpeak NG's pronunciations of the words alone, and as spoken"; then
  "$parrot" lexicon "$data/test" "$exp/lexicon-g2p.txt" --language "$language"
  "$parrot" align "$exp/model" "$exp/lexicon-g2p.txt" "$exp/feats/test" "$exp/align_test" --nj "$nj" $align_options
  "$parrot" align "$exp/model" "$data/lexicon.txt" "$exp/feats/test" "$exp/align_test_as_spoken" --nj "$nj" $align_options
  stage_done 3
fi

if stage 4 "alignment accuracy against the synthesizer's phone times"; then
  echo "lexicon from eSpeak NG's pronunciations of the words alone:"
  "$parrot" eval-align "$data/test/phones.ctm" "$exp/align_test/phones.ctm" | tee "$exp/align_test/accuracy.txt"
  echo "lexicon as spoken (the synthesizer's connected-speech pronunciations):"
  "$parrot" eval-align "$data/test/phones.ctm" "$exp/align_test_as_spoken/phones.ctm" | tee "$exp/align_test_as_spoken/accuracy.txt"
  stage_done 4
fi

log "done: model in $exp/model; test alignments in $exp/align_test and $exp/align_test_as_spoken, accuracy in accuracy.txt in each"
