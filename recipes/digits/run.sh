#!/usr/bin/env bash
# Spoken digits (the Free Spoken Digit Dataset): 5 speakers, 50 takes of each digit, 8 kHz.
# Train on takes 5-49, test on takes 0-4 (all speakers); with --held-out SPEAKER, train on the
# other four speakers instead and test on every take of SPEAKER (an unseen voice).
#
#   recipes/digits/run.sh [CORPUS_DIR] [--corpora DIR] [--stage N] [--stop-stage N] [--nj N] [--held-out SPEAKER]
#                         [--speed-perturb F,F,F] [--feature-options "..."]
#                         [--train-options "..."] [--cmd local|slurm] [--train-jobs J]
# (--feature-options go to the training set's parrot features, e.g. "--add-noise 10,20";
# --train-options to parrot train, e.g. "--freq-mask 8 --time-mask 10". Feature extraction, each
# training epoch (--train-jobs model copies, averaged) and each round's re-alignment run as jobs
# through the launcher: --cmd local (default) or --cmd slurm.)
#
# CORPUS_DIR holds recordings/ (default: fsdd/ in the corpora folder: --corpora DIR, else
# $PARROT_CORPORA, else ../shared/corpora beside the project, else ./corpora inside it, where
# ./setup.sh --corpora downloads it; see the README, Corpora). Pronunciations come from the CMU
# dictionary (Debian package pocketsphinx-en-us). Outputs go under exp/digits (exp/digits-SPEAKER
# with --held-out).
# Stages: 0 data directories, lexicon and a one-digit grammar, 1 validation, 2 features (the
#         --speed-perturb 0.9,1.0,1.1 adds training copies at those speeds, as Kaldi recipes
#         augment data; off by default: on held-out speakers it did not help parrot train's
#         defaults, see the README, Speaker robustness),
#         3 training (a CTC start, then Viterbi re-alignment), 4 align the test files,
#         5 decode them with the grammar "exactly one digit", 6 score (%WER = % of files wrong),
#         7 the run report exp/digits/report.html (figures, training curves, aligned test files).
usage="usage: recipes/digits/run.sh [CORPUS_DIR] [--corpora DIR] [--stage N] [--stop-stage N] [--nj N] [--held-out SPEAKER] [--speed-perturb F,F,F] [--feature-options \"...\"] [--train-options \"...\"] [--cmd local|slurm] [--train-jobs J]"
held_out=
speed_perturb=1.0
feature_options=
train_options=
train_jobs=1
source "$(dirname "$0")/../common/recipe.sh"

if [ $# -ge 1 ]; then corpus=$1; else corpus="$(find_corpora "$corpora")/fsdd" || exit 1; fi
[ -d "$corpus/recordings" ] || { echo "no recordings/ in '$corpus' (./setup.sh --corpora downloads fsdd; see README, Corpora); $usage" >&2; exit 1; }
corpus="$(cd "$corpus" && pwd)"
cmudict=/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict
[ -f "$cmudict" ] || { echo "CMU dictionary not found at $cmudict: run ./setup.sh (package pocketsphinx-en-us)" >&2; exit 1; }
exp="$PWD/exp/digits${held_out:+-$held_out}"
data="$exp/data"
mkdir -p "$exp"

if stage 0 "data directories, lexicon and grammar${held_out:+ (held-out speaker $held_out)}"; then
  names=(zero one two three four five six seven eight nine)
  for set in train test; do mkdir -p "$data/$set"; : > "$data/$set/wav.scp.tmp"; : > "$data/$set/text.tmp"; : > "$data/$set/utt2spk.tmp"; done
  for f in "$corpus"/recordings/*.wav; do
    base=$(basename "$f" .wav)               # DIGIT_SPEAKER_TAKE
    IFS=_ read -r digit speaker take <<< "$base"
    if [ -n "$held_out" ]; then
      set=$([ "$speaker" = "$held_out" ] && echo test || echo train)
    else
      set=$([ "$take" -ge 5 ] && echo train || echo test)
    fi
    utt="${speaker}_${digit}_${take}"       # speaker first, so utterances sort by speaker
    echo "$utt $f" >> "$data/$set/wav.scp.tmp"
    echo "$utt ${names[$digit]^^}" >> "$data/$set/text.tmp"
    echo "$utt $speaker" >> "$data/$set/utt2spk.tmp"
  done
  for set in train test; do
    for t in wav.scp text utt2spk; do LC_ALL=C sort "$data/$set/$t.tmp" > "$data/$set/$t"; rm "$data/$set/$t.tmp"; done
    awk '{a[$2]=a[$2]" "$1} END{for(s in a) print s a[s]}' "$data/$set/utt2spk" | LC_ALL=C sort > "$data/$set/spk2utt"
  done
  [ -s "$data/test/text" ] || { echo "no test files: is '$held_out' one of the speakers?" >&2; exit 1; }
  grep -E '^(zero|one|two|three|four|five|six|seven|eight|nine)(\([0-9]\))? ' "$cmudict" > "$data/lexicon.txt"
  mkdir -p "$exp/conf"
  echo "#JSGF V1.0;
grammar digits;
public <digit> = zero | one | two | three | four | five | six | seven | eight | nine;" > "$exp/conf/digit.jsgf"
  log "train: $(wc -l < "$data/train/text") files, test: $(wc -l < "$data/test/text") files; $(wc -l < "$data/lexicon.txt") pronunciations"
  stage_done 0
fi

if stage 1 "validate data directories"; then
  for set in train test; do "$parrot" validate "$data/$set" --sample-rate 8000 --nj "$nj"; done
  stage_done 1
fi

if stage 2 "features (40 log-Mel bins at 8 kHz$([ "$speed_perturb" = 1.0 ] || echo "; training copies at speeds $speed_perturb"))"; then
  # shellcheck disable=SC2086
  "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/train" "$exp/feats/train" --sample-rate 8000 --speed-perturb "$speed_perturb" $feature_options
  "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/test" "$exp/feats/test" --sample-rate 8000
  stage_done 2
fi

if stage 3 "train: a CTC start, then rounds of training and Viterbi re-alignment until the alignments settle (parrot train's defaults)"; then
  # shellcheck disable=SC2086
  "$parrot" train "$exp/feats/train" "$data/lexicon.txt" "$exp/model" --nj "$nj" \
    --train-jobs "$train_jobs" --cmd "$cmd" $train_options
  stage_done 3
fi

if stage 4 "align the test files"; then
  "$parrot" align "$exp/model" "$data/lexicon.txt" "$exp/feats/test" "$exp/align_test" --nj "$nj"
  stage_done 4
fi

if stage 5 "decode the test files with the one-digit grammar"; then
  "$parrot" decode "$exp/model" "$exp/feats/test" "$exp/decode_test" --mode lexicon --lexicon "$data/lexicon.txt" --grammar "$exp/conf/digit.jsgf" --nj "$nj"
  stage_done 5
fi

if stage 6 "score"; then
  "$parrot" score "$data/test/text" "$exp/decode_test/text" | tee "$exp/decode_test/wer.txt"
  stage_done 6
fi

if stage 7 "run report"; then
  "$parrot" report "$exp/report.html" --title "Parrot on spoken digits (recipes/digits${held_out:+, held-out speaker $held_out})" --model "$exp/model" \
    --figure "Word error rate (one word per file)=$exp/decode_test/wer.txt" --features "$exp/feats/test" --alignment "$exp/align_test" --utterances 3
  stage_done 7
fi

log "done: report $exp/report.html; model in $exp/model, alignments in $exp/align_test, hypotheses in $exp/decode_test/text, %WER in $exp/decode_test/wer.txt"
