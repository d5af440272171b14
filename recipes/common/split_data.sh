#!/usr/bin/env bash
# Splits a Kaldi data directory into N parts, as Kaldi's utils/split_data.sh does:
#
#   recipes/common/split_data.sh [--per-utt] DATA_DIR N
#
# writes DATA_DIR/splitN/1 … DATA_DIR/splitN/N (or splitNutt with --per-utt), each a data
# directory with the tables restricted to its utterances (wav.scp, text, utt2spk, spk2utt,
# segments, feats.scp, cmvn.scp — whichever exist). By default whole speakers go to one part (so
# per-speaker CMVN stays right), balanced by utterance count; with fewer speakers than parts, or
# with --per-utt, utterances are dealt out instead — it never fails for want of speakers.
# A split that is newer than the data directory's tables is reused.
set -euo pipefail
per_utt=false
if [ "${1:-}" = "--per-utt" ]; then per_utt=true; shift; fi
[ $# -eq 2 ] || { echo "usage: $0 [--per-utt] DATA_DIR N" >&2; exit 2; }
data=$1; n=$2
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$0: N must be a positive number, got '$n'" >&2; exit 2; }
[ -f "$data/utt2spk" ] || [ -f "$data/wav.scp" ] || [ -f "$data/feats.scp" ] || { echo "$0: $data is not a data directory (no utt2spk, wav.scp or feats.scp)" >&2; exit 1; }

# Utterance list and speakers (each utterance its own speaker without utt2spk).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -f "$data/utt2spk" ]; then cp "$data/utt2spk" "$tmp/utt2spk"
elif [ -f "$data/feats.scp" ]; then awk '{print $1, $1}' "$data/feats.scp" > "$tmp/utt2spk"
else awk '{print $1, $1}' "$data/wav.scp" > "$tmp/utt2spk"; fi
speakers=$(awk '{print $2}' "$tmp/utt2spk" | sort -u | wc -l)
utterances=$(wc -l < "$tmp/utt2spk")
[ "$utterances" -gt 0 ] || { echo "$0: $data has no utterances" >&2; exit 1; }
if [ "$speakers" -lt "$n" ] && ! $per_utt; then
  echo "$0: $data has $speakers speakers for $n parts: splitting by utterance instead" >&2
  per_utt=true
fi
out="$data/split$n$($per_utt && echo utt || true)"

newest_table=$(ls -t "$data"/{wav.scp,text,utt2spk,spk2utt,segments,feats.scp,cmvn.scp} 2>/dev/null | head -1 || true)
if [ -f "$out/.done" ] && [ "$out/.done" -nt "$newest_table" ]; then exit 0; fi
rm -rf "$out"

# Assign utterances to parts: whole speakers greedily to the least-filled part (largest
# speakers first), or utterances dealt out in contiguous blocks.
if $per_utt; then
  LC_ALL=C sort "$tmp/utt2spk" | awk -v n="$n" -v total="$utterances" '{ part = int((NR - 1) * n / total) + 1; print $1, part }' > "$tmp/utt2part"
else
  awk '{c[$2]++} END {for (s in c) print c[s], s}' "$tmp/utt2spk" | LC_ALL=C sort -k1,1nr -k2,2 |
    awk -v n="$n" '{ best = 1; for (p = 2; p <= n; p++) if (load[p] < load[best]) best = p; load[best] += $1; print $2, best }' > "$tmp/spk2part"
  awk 'NR == FNR {part[$1] = $2; next} {print $1, part[$2]}' "$tmp/spk2part" "$tmp/utt2spk" > "$tmp/utt2part"
fi

for p in $(seq 1 "$n"); do mkdir -p "$out/$p"; done
# Tables keyed by utterance.
for table in wav.scp text utt2spk segments feats.scp; do
  [ -f "$data/$table" ] || continue
  # wav.scp is keyed by recording when there are segments.
  if [ "$table" = wav.scp ] && [ -f "$data/segments" ]; then
    awk 'NR == FNR {part[$1] = $2; next} FILENAME ~ /segments$/ {rp[$2] = rp[$2] " " part[$1]; next}
         { split(rp[$1], ps, " "); delete seen; for (i in ps) if (!(ps[i] in seen)) { seen[ps[i]] = 1; print > (out "/" ps[i] "/wav.scp") } }' \
      out="$out" "$tmp/utt2part" "$data/segments" "$data/wav.scp"
    continue
  fi
  awk -v out="$out" -v t="$table" 'NR == FNR {part[$1] = $2; next} ($1 in part) {print > (out "/" part[$1] "/" t)}' "$tmp/utt2part" "$data/$table"
done
for p in $(seq 1 "$n"); do
  d="$out/$p"
  for table in wav.scp text utt2spk segments feats.scp; do [ -f "$data/$table" ] && touch "$d/$table"; done
  awk -v p="$p" 'NR == FNR {if ($2 == p) keep[$1] = 1; next} ($1 in keep)' "$tmp/utt2part" "$tmp/utt2spk" > "$d/utt2spk"
  awk '{a[$2] = a[$2] " " $1} END {for (s in a) print s a[s]}' "$d/utt2spk" | LC_ALL=C sort > "$d/spk2utt"
  if [ -f "$data/cmvn.scp" ]; then
    awk 'NR == FNR {s[$2] = 1; t[$1] = 1; next} ($1 in s) || ($1 in t)' "$d/utt2spk" "$data/cmvn.scp" > "$d/cmvn.scp"
  fi
  for f in "$d"/*; do LC_ALL=C sort -o "$f" "$f"; done
  [ -f "$data/feats.json" ] && cp "$data/feats.json" "$d/"
done
touch "$out/.done"
