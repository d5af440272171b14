#!/usr/bin/env bash
# Parrot's English starter model (models/english): trained once on the most varied English speech
# available here, so that users can align and decode without training (parrot align english …).
#
#   recipes/english/run.sh [--corpora DIR] [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train N] [--voices LIST] [--flite-train N] [--seed S] [--install yes|no]
#
# Outputs go under exp/english/ in the current directory; stage 6 installs the model into
# models/english/ of the project (--install no leaves it there).
# Stages: 0 the synthetic part: eSpeak NG's American English voices (en-us and en-us-nyc; the
#           model's phones are the CMU dictionary's American ones: with every English voice the
#           boundaries came out 12 points worse, see the README), each with ten voice variants at
#           a pitch, pitch range and rate of their own, --train sentences in turn; the variants m6
#           and f5 of each voice speak only the test sentences; flite's awb and rms speak
#           --flite-train of the training sentences (test-flite: the test sentences, flite's
#           voices again: seen in training, the sentences not),
#         1 the real part: the spoken digits (FSDD, 5 speakers, 8 kHz) takes 5-49 for training,
#           takes 0-4 for testing; the CMU dictionary's pronunciations,
#         2 features at 16 kHz (FSDD resampled: telephone-band speech in training), with one
#           augmented copy of every training utterance: speed 0.9 or 1.1, white noise 10 or 20 dB
#           down, a simulated room of reverberation time 0.3 s, or a telephone line,
#         3 training (parrot train, default flags: a CTC start, then Viterbi re-alignment),
#         4 figures: alignment of the unseen voice variants and of test-flite against the
#           synthesizers' phone times; FSDD's test takes with the one-digit grammar,
#         5 the model card, models/english/MODEL.md (data, phones, features, command, figures),
#         6 install final.mdl, phones.txt, priors.txt, phones.arpa and MODEL.md into models/english.
usage="usage: recipes/english/run.sh [--corpora DIR] [--stage N] [--stop-stage N] [--nj N] [--cmd local|slurm] [--train N] [--voices LIST] [--flite-train N] [--seed S] [--install yes|no]"
train=4000
voices=en-us,en-us-nyc
flite_train=400
seed=1
install=yes
source "$(dirname "$0")/../common/recipe.sh"

corpus_tool="$(dirname "$parrot")/parrot-corpus"
[ -x "$corpus_tool" ] || { echo "parrot-corpus not found next to $parrot: run ./setup.sh" >&2; exit 1; }
fsdd="$(find_corpora "$corpora")/fsdd" || exit 1
[ -d "$fsdd/recordings" ] || { echo "no recordings/ in '$fsdd' (./setup.sh --corpora downloads fsdd; see README, Corpora)" >&2; exit 1; }
exp="$PWD/exp/english"
data="$exp/data"
mkdir -p "$exp"
# One augmented copy of every training utterance, its kind drawn from a hash of its ID: 10% slower
# or faster, white noise 10 or 20 dB down, a room of RT60 0.3 s, or a telephone line.
copies="--speed-perturb 0.9,1.0,1.1 --add-noise 10,20 --reverb 0.3 --telephone --one-copy-each"

if stage 0 "the synthetic part: eSpeak NG's American voices ($voices), $train training sentences, flite on $flite_train of them"; then
  rm -rf "$data/synth"
  "$corpus_tool" "$data/synth" --voices "$voices" --train "$train" --test 320 --flite-test 200 --flite-train "$flite_train" --seed "$seed" --nj "$nj"
  stage_done 0
fi

if stage 1 "the real part: FSDD takes 5-49 for training, 0-4 for testing"; then
  names=(zero one two three four five six seven eight nine)
  for set in train test; do mkdir -p "$data/fsdd-$set"; : > "$data/fsdd-$set/wav.scp"; : > "$data/fsdd-$set/text"; : > "$data/fsdd-$set/utt2spk"; done
  for f in "$fsdd"/recordings/*.wav; do
    IFS=_ read -r digit speaker take <<< "$(basename "$f" .wav)"
    set=$([ "$take" -ge 5 ] && echo train || echo test)
    utt="fsdd-${speaker}_${digit}_${take}"
    echo "$utt $f" >> "$data/fsdd-$set/wav.scp"
    echo "$utt ${names[$digit]^^}" >> "$data/fsdd-$set/text"
    echo "$utt fsdd-$speaker" >> "$data/fsdd-$set/utt2spk"
  done
  # The training set: both parts, sorted as Kaldi wants.
  mkdir -p "$data/train"
  for t in wav.scp text utt2spk; do LC_ALL=C sort "$data/synth/train/$t" "$data/fsdd-train/$t" > "$data/train/$t"; done
  for set in fsdd-train fsdd-test; do for t in wav.scp text utt2spk; do LC_ALL=C sort -o "$data/$set/$t" "$data/$set/$t"; done; done
  for set in train fsdd-train fsdd-test; do
    awk '{a[$2]=a[$2]" "$1} END{for(s in a) print s a[s]}' "$data/$set/utt2spk" | LC_ALL=C sort > "$data/$set/spk2utt"
  done
  "$parrot" lexicon "$data/fsdd-train" "$data/digits-lexicon.txt"
  LC_ALL=C sort -u "$data/synth/lexicon.txt" "$data/synth/train/lexicon.txt" "$data/digits-lexicon.txt" > "$data/lexicon.txt"
  echo "#JSGF V1.0;
grammar digits;
public <digit> = zero | one | two | three | four | five | six | seven | eight | nine;" > "$exp/digit.jsgf"
  stage_done 1
fi

if stage 2 "features at 16 kHz, and one augmented copy of every training utterance ($copies)"; then
  "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/train" "$exp/feats/train" $copies
  for set in synth/test synth/test-flite fsdd-test; do
    "$recipes_root/common/make_features.sh" --cmd "$cmd" --nj "$nj" "$data/$set" "$exp/feats/${set//\//-}"
  done
  stage_done 2
fi

if stage 3 "train: a CTC start and Viterbi re-alignment, parrot's defaults"; then
  "$parrot" train "$exp/feats/train" "$data/lexicon.txt" "$exp/model" --nj "$nj" --cmd "$cmd"
  stage_done 3
fi

if stage 4 "figures: unseen voice variants, flite, FSDD test takes"; then
  "$parrot" align "$exp/model" "$data/synth/lexicon.txt" "$exp/feats/synth-test" "$exp/align_test" --nj "$nj"
  "$parrot" eval-align "$data/synth/test/phones.ctm" "$exp/align_test/phones.ctm" | tee "$exp/align_test/accuracy.txt"
  "$parrot" align "$exp/model" "$data/synth/test-flite/lexicon.txt" "$exp/feats/synth-test-flite" "$exp/align_test_flite" --nj "$nj"
  "$parrot" eval-align "$data/synth/test-flite/phones.ctm" "$exp/align_test_flite/phones.ctm" | tee "$exp/align_test_flite/accuracy.txt"
  "$parrot" decode "$exp/model" "$exp/feats/fsdd-test" "$exp/decode_fsdd" --mode lexicon --lexicon "$data/digits-lexicon.txt" --grammar "$exp/digit.jsgf" --nj "$nj"
  "$parrot" score "$data/fsdd-test/text" "$exp/decode_fsdd/text" | tee "$exp/decode_fsdd/wer.txt"
  stage_done 4
fi

# figure FILE: the "within 20 ms" share and the mean error of an eval-align report.
figure() { awk '/within 20 ms/ {w=$4} /mean absolute error/ {m=$4" "$5} END {print w" within 20 ms, mean error "m}' "$1" | sed 's/;//'; }

if stage 5 "the model card"; then
  phones=$(awk '$1 != "SIL" && $1 != "SPN" {printf "%s ", $1}' "$exp/model/phones.txt")
  synth_hours=$(python3 -c "import json; s=json.load(open('$data/synth/stats.json'))['sets']['train']; print(f\"{s['utterances']:,} utterances, {s['hours']:.1f} hours\")")
  fsdd_count=$(wc -l < "$data/fsdd-train/text")
  {
    echo "# English starter model (ARPAbet, 16 kHz), made by recipes/english/run.sh"
    echo
    echo "A framewise bidirectional LSTM acoustic model, trained by \`parrot train\` (a CTC start and"
    echo "Viterbi re-alignment) on synthetic and real English, for aligning and decoding English without"
    echo "training first (\`parrot align english english DATA OUT\`) and as the start of adaptation"
    echo "(\`parrot train DATA english OUT --init-model english\`)."
    echo
    echo "## Data"
    echo
    echo "- Synthetic: $synth_hours. eSpeak NG 1.51's American English voices ($voices), each with ten"
    echo "  voice variants (m1-m5, m7, f1-f4) at a pitch, pitch range and rate of their own; flite's awb and rms speak"
    echo "  $flite_train of the sentences. Sentences of 5-15 words from Parrot's phrase grammar over 368"
    echo "  common words. Phone times are the synthesizers' own (see the README, The built-in corpus)."
    echo "- Real: the Free Spoken Digit Dataset, 5 speakers, takes 5-49 ($fsdd_count files, 8 kHz resampled to 16 kHz)."
    echo "- Augmentation: one copy of every training utterance (\`parrot features $copies\`): 10% slower"
    echo "  or faster, white noise 10 or 20 dB down, a simulated room of reverberation time 0.3 s, or a"
    echo "  telephone line (300-3,400 Hz, 8-bit mu-law), its kind drawn by a hash of its ID."
    echo
    echo "## Model"
    echo
    echo "- Phones: the CMU dictionary's 39 ARPAbet phones without stress, SIL and SPN: $phones"
    echo "- Features: 40 log-Mel bins, 25 ms frames every 10 ms, 16 kHz (other rates are resampled), CMVN per speaker."
    echo "- Command: \`parrot train exp/english/feats/train exp/english/data/lexicon.txt exp/english/model\`"
    echo "  (parrot's defaults); corpus seed $seed."
    echo
    echo "## Figures (recipes/english/run.sh, stage 4)"
    echo
    echo "| test set | result |"
    echo "| --- | --- |"
    echo "| eSpeak NG's American voices, the variants m6 and f5 that training never heard (320 unseen sentences) | $(figure "$exp/align_test/accuracy.txt") |"
    echo "| flite awb and rms (voices heard in training, 200 unseen sentences) | $(figure "$exp/align_test_flite/accuracy.txt") |"
    echo "| FSDD takes 0-4 of the training speakers, one-digit grammar | $(grep -o '%WER [0-9.]*' "$exp/decode_fsdd/wer.txt" | head -1) |"
    echo
    echo "## Licence of the data"
    echo
    echo "- eSpeak NG (GPL-3.0-or-later) and flite (BSD-style) synthesized the speech; the audio they"
    echo "  produce is not covered by their code licences."
    echo "- The Free Spoken Digit Dataset is licensed CC BY-SA 4.0."
    echo "- The CMU Pronouncing Dictionary (pronunciations of the digits) is BSD-licensed."
  } > "$exp/MODEL.md"
  cat "$exp/MODEL.md"
  stage_done 5
fi

if stage 6 "install the model into models/english"; then
  if [ "$install" = yes ]; then
    target="$project_root/models/english"
    mkdir -p "$target.tmp"
    cp "$exp/model/final.mdl" "$exp/model/phones.txt" "$exp/model/priors.txt" "$exp/model/phones.arpa" "$exp/MODEL.md" "$target.tmp/"
    rm -rf "$target" && mv "$target.tmp" "$target"
    log "installed in $target"
  fi
  stage_done 6
fi

log "done: model in $exp/model, card $exp/MODEL.md"
