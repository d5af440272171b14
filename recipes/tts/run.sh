#!/usr/bin/env bash
# Parrot's main job on its built-in corpus: English speech synthesized by eSpeak NG, with the
# synthesizer's own phone times as the reference alignment, and the test sentences again from a
# second synthesizer, flite, that training never hears (test-flite). Needs no downloaded corpus.
#
#   recipes/tts/run.sh [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train N] [--test N] [--seed S] [--train-jobs J]
#
# Feature extraction, each training epoch (--train-jobs model copies, averaged) and each round's
# re-alignment run as jobs through the launcher (--cmd local, the default, or --cmd slurm).
#
# Outputs go under exp/tts/ in the current directory.
# Stages: 0 build the corpus (train: 10 voices, test: 2 unseen voices and unseen sentences,
#           test-flite: the test sentences from flite's voices awb and rms),
#         1 validate it, 2 features (40 log-Mel bins, 16 kHz),
#         3 training by iterative Viterbi re-alignment from a CTC start (parrot train),
#         4 learn a boundary refiner from the training voices' reference phone times (parrot
#           train-refiner) and align the test voices and the flite voices without and with it
#           (TextGrid, CTM, JSON; test-flite with its own lexicon, test-flite/lexicon.txt),
#         5 score all four alignments against the synthesizers' reference phone times (parrot eval-align),
#         6 decode the test voices' phones (greedy, and with the phone bigram of the training
#           alignments) and score the phone error rate against the reference phones,
#         7 a word bigram of the training text, lexicon search, word error rate,
#         8 the run report exp/tts/report.html (figures, training curves, aligned test utterances).
usage="usage: recipes/tts/run.sh [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train N] [--test N] [--seed S] [--train-jobs J]"
train_jobs=1
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
  for set in train test test-flite; do "$parrot" validate "$data/$set" --nj "$nj"; done
  stage_done 1
fi

if stage 2 "features (40 log-Mel bins, 16 kHz)"; then
  for set in train test test-flite; do "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/$set" "$exp/feats/$set"; done
  stage_done 2
fi

if stage 3 "train: a CTC start, then rounds of training and Viterbi re-alignment until the alignments settle"; then
  # parrot train's defaults, nothing tuned for this corpus: frame-local rounds on ±1 frame, each
  # round trained until its validation loss stops improving, rounds until fewer than 1% of the
  # frames change, pauses between words of at least 100 ms.
  "$parrot" train "$exp/feats/train" "$data/lexicon.txt" "$exp/model" --nj "$nj" --train-jobs "$train_jobs" --cmd "$cmd"
  stage_done 3
fi

if stage 4 "align the test voices and the flite voices, as trained and with a boundary refiner learnt from the training voices' reference times"; then
  # The model places boundaries where its classes change; eSpeak's convention differs at
  # gradual transitions (a nasal's release into a vowel belongs to the nasal). The refiner learns
  # that convention from the training voices' reference times (as from hand-corrected files)
  # and moves the test voices' boundaries accordingly.
  "$parrot" train-refiner "$exp/model" "$data/lexicon.txt" "$exp/feats/train" "$data/train/phones.ctm" "$exp/model/boundaries.refiner" --nj "$nj"
  # align adapts the model to each set before aligning it (parrot align --adapt); the refined
  # alignment of a set reuses the model its unrefined alignment adapted, rather than adapting the
  # same model to the same set a second time.
  adapted() { if [ -f "$1/adapt/pass-1/model/final.mdl" ]; then adapted_model=("$1/adapt/pass-1/model" --adapt 0); else adapted_model=("$exp/model"); fi; }
  "$parrot" align "$exp/model" "$data/lexicon.txt" "$exp/feats/test" "$exp/align_test_unrefined" --nj "$nj"
  adapted "$exp/align_test_unrefined"
  "$parrot" align "${adapted_model[@]}" "$data/lexicon.txt" "$exp/feats/test" "$exp/align_test" --refiner "$exp/model/boundaries.refiner" --nj "$nj"
  # A second synthesizer: flite's voices and labelling, which neither the model nor the refiner
  # has heard. Its words are pronounced as flite spoke them (test-flite/lexicon.txt).
  "$parrot" align "$exp/model" "$data/test-flite/lexicon.txt" "$exp/feats/test-flite" "$exp/align_test_flite_unrefined" --nj "$nj"
  adapted "$exp/align_test_flite_unrefined"
  "$parrot" align "${adapted_model[@]}" "$data/test-flite/lexicon.txt" "$exp/feats/test-flite" "$exp/align_test_flite" \
    --refiner "$exp/model/boundaries.refiner" --nj "$nj"
  stage_done 4
fi

if stage 5 "alignment accuracy against the synthesizer's reference"; then
  echo "as trained (no refiner):"
  "$parrot" eval-align "$data/test/phones.ctm" "$exp/align_test_unrefined/phones.ctm" | tee "$exp/align_test_unrefined/accuracy.txt"
  echo "with the boundary refiner:"
  "$parrot" eval-align "$data/test/phones.ctm" "$exp/align_test/phones.ctm" | tee "$exp/align_test/accuracy.txt"
  echo "flite's voices (test-flite), as trained:"
  "$parrot" eval-align "$data/test-flite/phones.ctm" "$exp/align_test_flite_unrefined/phones.ctm" | tee "$exp/align_test_flite_unrefined/accuracy.txt"
  echo "flite's voices (test-flite), with the boundary refiner:"
  "$parrot" eval-align "$data/test-flite/phones.ctm" "$exp/align_test_flite/phones.ctm" | tee "$exp/align_test_flite/accuracy.txt"
  stage_done 5
fi

if stage 6 "decode phones (greedy; phone bigram) and score the phone error rate"; then
  # Reference phone sequences from the synthesizer's CTM, silence left out.
  awk '$5 != "SIL" { p[$1] = p[$1] " " $5 } END { for (u in p) print u p[u] }' "$data/test/phones.ctm" | LC_ALL=C sort > "$exp/test_phones.txt"
  "$parrot" decode "$exp/model" "$exp/feats/test" "$exp/decode_greedy" --nj "$nj"
  "$parrot" score "$exp/test_phones.txt" "$exp/decode_greedy/text" --label PER | tee "$exp/decode_greedy/per.txt"
  "$parrot" decode "$exp/model" "$exp/feats/test" "$exp/decode_phone_lm" --phone-lm "$exp/model/phones.arpa" --nj "$nj"
  "$parrot" score "$exp/test_phones.txt" "$exp/decode_phone_lm/text" --label PER | tee "$exp/decode_phone_lm/per.txt"
  stage_done 6
fi

if stage 7 "word bigram of the training text, lexicon search, word error rate"; then
  "$parrot" lm "$data/train/text" "$exp/lm/bigram.arpa" --order 2
  # parrot decode's defaults (a word search scales the network's log-scores by 0.5 before the
  # bigram's are added: see README, Decoding).
  "$parrot" decode "$exp/model" "$exp/feats/test" "$exp/decode_words" --mode lexicon --lexicon "$data/lexicon.txt" --lm "$exp/lm/bigram.arpa" \
    --nj "$nj"
  "$parrot" score "$data/test/text" "$exp/decode_words/text" | tee "$exp/decode_words/wer.txt"
  stage_done 7
fi

if stage 8 "run report"; then
  "$parrot" report "$exp/report.html" --title "Parrot on the built-in corpus (recipes/tts)" --model "$exp/model" \
    --figure "Alignment accuracy against the synthesizer's phone times, as trained=$exp/align_test_unrefined/accuracy.txt" \
    --figure "Alignment accuracy with the boundary refiner=$exp/align_test/accuracy.txt" \
    --figure "Alignment accuracy on flite's voices (test-flite), as trained=$exp/align_test_flite_unrefined/accuracy.txt" \
    --figure "Alignment accuracy on flite's voices (test-flite), with the boundary refiner=$exp/align_test_flite/accuracy.txt" \
    --figure "Phone error rate, greedy=$exp/decode_greedy/per.txt" --figure "Phone error rate, phone bigram=$exp/decode_phone_lm/per.txt" \
    --figure "Word error rate, lexicon search with a word bigram=$exp/decode_words/wer.txt" \
    --features "$exp/feats/test" --alignment "$exp/align_test" --utterances 3
  stage_done 8
fi

log "done: report $exp/report.html; training log $exp/model/train.log; test alignments in $exp/align_test (TextGrids, CTM; refined) and $exp/align_test_unrefined, flite's in $exp/align_test_flite and $exp/align_test_flite_unrefined; accuracy in accuracy.txt in each; %PER in $exp/decode_greedy/per.txt, $exp/decode_phone_lm/per.txt; %WER in $exp/decode_words/wer.txt"
