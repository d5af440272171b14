#!/usr/bin/env bash
# Kaldi's "yesno" recipe for Parrot: 60 recordings of one speaker saying 8 words, yes or no.
# Train on the files whose name starts with 0, test on those starting with 1 (31 / 29 files).
#
#   recipes/yesno/run.sh [CORPUS_DIR] [--corpora DIR] [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train-jobs J]
#                        [--train-options "..."]   (passed to parrot train, e.g. "--rounds 3 --epochs 2" for a quick check)
#                        [--decode-options "..."]  (passed to parrot decode, e.g. "--adapt 0" to decode with the model as it is)
#
# CORPUS_DIR holds waves_yesno/ (default: yesno/ in the corpora folder: --corpora DIR, else
# $PARROT_CORPORA, else ../shared/corpora beside the project, else ./corpora inside it, where
# ./setup.sh --corpora downloads it; see the README, Corpora). Outputs go under exp/yesno/ in the
# current directory.
# Feature extraction, each training epoch (--train-jobs model copies, averaged), each round's
# re-alignment and decoding run as jobs through the launcher (--cmd local, the default, or
# --cmd slurm for a Slurm cluster; job logs in exp/yesno/log/, exp/yesno/feats/*/log/ and
# exp/yesno/model/**/log/).
# Stages: 0 data directories and lexicon (CMU pronunciations: phones inside the words let the
# model tell "yes yes" from one long "yes"), 1 validation, 2 features, 3 training (a CTC
# start, then Viterbi re-alignment), 4 a unigram language model of the training text (Kaldi's task.arpabo),
# 5 decode the test files (lexicon search, word loop with that model), 6 score (%WER),
# 7 the run report exp/yesno/report.html (figures, training curves, decoded test files drawn).
usage="usage: recipes/yesno/run.sh [CORPUS_DIR] [--corpora DIR] [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train-jobs J] [--train-options \"...\"] [--decode-options \"...\"]"
train_jobs=1
train_options=
decode_options=
source "$(dirname "$0")/../common/recipe.sh"

if [ $# -ge 1 ]; then corpus=$1; else corpus="$(find_corpora "$corpora")/yesno" || exit 1; fi
[ -d "$corpus/waves_yesno" ] || { echo "no waves_yesno/ in '$corpus' (./setup.sh --corpora downloads yesno; see README, Corpora); $usage" >&2; exit 1; }
corpus="$(cd "$corpus" && pwd)"
exp="$PWD/exp/yesno"
data="$exp/data"
mkdir -p "$exp/log"

if stage 0 "data directories (train: names starting 0, test: starting 1) and lexicon"; then
  for set in train test; do
    prefix=$([ $set = train ] && echo 0 || echo 1)
    mkdir -p "$data/$set"
    : > "$data/$set/wav.scp.tmp"; : > "$data/$set/text.tmp"
    for f in "$corpus"/waves_yesno/${prefix}_*.wav; do
      utt=$(basename "$f" .wav)
      echo "$utt $f" >> "$data/$set/wav.scp.tmp"
      echo "$utt $(echo "$utt" | tr '_' '\n' | sed 's/1/YES/;s/0/NO/' | tr '\n' ' ' | sed 's/ $//')" >> "$data/$set/text.tmp"
    done
    for t in wav.scp text; do LC_ALL=C sort "$data/$set/$t.tmp" > "$data/$set/$t"; rm "$data/$set/$t.tmp"; done
    awk '{print $1, "global"}' "$data/$set/wav.scp" > "$data/$set/utt2spk"
    echo "global $(awk '{printf "%s ", $1}' "$data/$set/wav.scp" | sed 's/ $//')" > "$data/$set/spk2utt"
  done
  printf 'NO N OW\nYES Y EH S\n' > "$data/lexicon.txt"
  log "train: $(wc -l < "$data/train/wav.scp") utterances, test: $(wc -l < "$data/test/wav.scp")"
  stage_done 0
fi

if stage 1 "validate data directories"; then
  for set in train test; do "$parrot" validate "$data/$set" --sample-rate 8000 --nj "$nj"; done
  stage_done 1
fi

if stage 2 "features (40 log-Mel bins at the corpus' native 8 kHz)"; then
  # Some test recordings have a loud background between words that the 31 clean training
  # recordings never show: parrot train's default noise augmentation (--noise 5,20) teaches the
  # model what it sounds like, as the noisy copies this recipe used to make did.
  "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/train" "$exp/feats/train" --sample-rate 8000
  "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/test" "$exp/feats/test" --sample-rate 8000
  stage_done 2
fi

if stage 3 "train: a CTC start, then Viterbi re-alignment rounds (parrot train's defaults)"; then
  # Each epoch's training and each round's re-alignment (in --nj parts) run as launcher jobs.
  "$parrot" train "$exp/feats/train" "$data/lexicon.txt" "$exp/model" --nj "$nj" \
    --train-jobs "$train_jobs" --cmd "$cmd" $train_options > "$exp/log/train.log"
  grep -E '^round [0-9]+:' "$exp/log/train.log"
  stage_done 3
fi

if stage 4 "unigram language model of the training transcripts"; then
  "$parrot" lm "$data/train/text" "$exp/lm/task.arpa" --order 1
  stage_done 4
fi

if stage 5 "decode the test files"; then
  # One job per part of the test set (split by utterance: yesno has one speaker), then combined.
  # parrot decode drops words more than 20 dB below their recording's loudest (--drop-quiet-words):
  # every word of the training recordings peaks within 8.4 dB of its recording's loudest, and one
  # test recording holds the quiet tail of an earlier take that the model calls YES.
  "$recipes_root/common/split_data.sh" --per-utt "$exp/feats/test" "$nj"
  $cmd JOB=1:"$nj" "$exp/log/decode.JOB.log" "$parrot" decode "$exp/model" "$exp/feats/test/split${nj}utt/JOB" "$exp/decode_test/part/JOB" \
    --mode lexicon --lexicon "$data/lexicon.txt" --lm "$exp/lm/task.arpa" --nj 1 $decode_options
  combine_outputs "$exp/decode_test" $(for j in $(seq "$nj"); do echo "$exp/decode_test/part/$j"; done)
  stage_done 5
fi

if stage 6 "score"; then
  "$parrot" score "$data/test/text" "$exp/decode_test/text" | tee "$exp/decode_test/wer.txt"
  stage_done 6
fi

if stage 7 "run report"; then
  "$parrot" report "$exp/report.html" --title "Parrot on yesno (recipes/yesno)" --model "$exp/model" \
    --figure "Word error rate=$exp/decode_test/wer.txt" --features "$exp/feats/test" --alignment "$exp/decode_test" --utterances 3
  stage_done 7
fi

log "done: report $exp/report.html; model in $exp/model, hypotheses in $exp/decode_test/text, %WER in $exp/decode_test/wer.txt"
