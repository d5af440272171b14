# Sourced by bench/accuracy and bench/dev: helpers shared by the accuracy benchmarks. They read
# the sourcing script's $parrot, $nj and $train_flags.

# train_timed DATA LEXICON MODEL: parrot train with default flags (and --train-flags); prints the seconds it took.
train_timed() {
  local start=$(date +%s)
  # shellcheck disable=SC2086
  "$parrot" train "$1" "$2" "$3" --nj "$nj" $train_flags > "$3.log" 2>&1 || { echo "training $3 failed; see $3.log" >&2; tail -3 "$3.log" >&2; }
  echo $(( $(date +%s) - start ))
}

# alignment_figures REF_CTM HYP_CTM: "NN.NN% within 20 ms, mean error NN.N ms" (parrot eval-align).
alignment_figures() {
  "$parrot" eval-align "$1" "$2" | awk '/within 20 ms/ && !w { for (i = 1; i <= NF; i++) if ($i ~ /%$/) { w = $i; break } }
    /[Mm]ean/ && !m { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $(i+1) ~ /^ms/) { m = $i; break } }
    END { printf "%s within 20 ms, mean error %s ms", w, m }'
}

# feature_subset SOURCE TARGET UTTERANCES: TARGET becomes the features directory of the utterances
# listed in the file UTTERANCES (one ID a line) of features directory SOURCE: its lines of
# feats.scp, text, utt2spk and wav.scp, spk2utt and cmvn.scp for their speakers, feats.json.
feature_subset() {
  mkdir -p "$2"
  for f in feats.scp text utt2spk wav.scp; do awk 'NR == FNR { k[$1]; next } ($1 in k)' "$3" "$1/$f" > "$2/$f"; done
  awk '{ a[$2] = a[$2] " " $1 } END { for (s in a) print s a[s] }' "$2/utt2spk" | LC_ALL=C sort > "$2/spk2utt"
  awk 'NR == FNR { k[$2]; next } ($1 in k)' "$2/utt2spk" "$1/cmvn.scp" > "$2/cmvn.scp"
  cp "$1/feats.json" "$2/"
}
