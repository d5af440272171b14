#!/usr/bin/env bash
# Writes valid example inputs for one fuzz target into a corpus directory: fuzz/make_seeds.sh TARGET DIR.
# Binary seeds come from sox, Python (kaldiio) and bin/parrot, so they are what real tools write.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
target=$1 out=$2
mkdir -p "$out"
parrot="${PARROT:-$root/bin/parrot}"   # PARROT overrides, e.g. a debug build
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

kaldi_archives() {   # binary and text matrices, an integer vector, a compressed matrix
  python3 - "$1" <<'PY'
import sys, numpy as np, kaldiio
out = sys.argv[1]
rng = np.random.default_rng(1)
m = rng.standard_normal((7, 5)).astype(np.float32)
kaldiio.save_ark(f"{out}/float.ark", {"utt1": m, "utt2": m[:3]})
kaldiio.save_ark(f"{out}/text.ark", {"utt1": m}, text=True)
kaldiio.save_ark(f"{out}/ints.ark", {"utt1": np.array([0, 0, 1, 2, 2], dtype=np.int32)})
kaldiio.save_ark(f"{out}/double.ark", {"utt1": m.astype(np.float64)})
kaldiio.save_ark(f"{out}/compressed.ark", {"utt1": m}, compression_method=2)
PY
}

case $target in
  fuzz-archive)
    kaldi_archives "$out" ;;
  fuzz-scp)
    kaldi_archives "$scratch"
    for ark in float compressed text; do
      offsets=$(python3 -c "
import kaldiio
kaldiio.save_ark('$scratch/x.ark', dict(kaldiio.load_ark('$scratch/$ark.ark')), scp='$scratch/x.scp', text=('$ark' == 'text'))
print(open('$scratch/x.scp').read().replace('$scratch/x.ark', 'a.ark'), end='')")
      { printf '%s\n--\n' "$offsets"; cat "$scratch/x.ark"; } > "$out/$ark"
    done ;;
  fuzz-datadir)
    printf 'rec1 /nonexistent/a.wav\nrec2 sox x.wav -t wav - |\n--\nutt1 HELLO WORLD\nutt2 YES\n--\nutt1 spk1\nutt2 spk1\n--\nutt1 rec1 0.0 1.5\nutt2 rec2 0.5 -1\n--\nspk1 utt1 utt2\n' > "$out/segments"
    printf 'a /x/a.wav\nb /x/b.wav\n--\na ONE\nb TWO THREE\n--\na s1\nb s2\n' > "$out/plain"
    printf '\xef\xbb\xbfb /x/b.wav\r\na /x/a.wav\r\na /x/c.wav\n--\na\nb  spaced   words\n' > "$out/odd" ;;
  fuzz-lexicon)
    printf 'HELLO HH AH0 L OW1\nHELLO(2) HH EH0 L OW1\nWORLD W ER1 L D\n;;; comment\n' > "$out/cmu"
    printf 'hello\t0.99\tHH AH L OW\nworld\t1.0\t0.2\t1.0\t0.5\tW ER L D\n' > "$out/mfa"
    printf 'yes 1.0 Y\nno 0.5 N\n<SIL> SIL\n' > "$out/lexiconp" ;;
  fuzz-textgrid)
    printf 'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 2\ntiers? <exists>\nsize = 1\nitem []:\n    item [1]:\n        class = "IntervalTier"\n        name = "words"\n        xmin = 0\n        xmax = 2\n        intervals: size = 2\n        intervals [1]:\n            xmin = 0\n            xmax = 0.5\n            text = ""\n        intervals [2]:\n            xmin = 0.5\n            xmax = 2\n            text = "say ""hi"""\n' > "$out/long"
    printf 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n2\n<exists>\n2\n"IntervalTier"\n"u"\n0\n2\n1\n0\n2\n"one two"\n"TextTier"\n"p"\n0\n2\n1\n1.5\n"x"\n' > "$out/short"
    python3 -c "import sys; open(sys.argv[1], 'wb').write(open(sys.argv[2], 'rb').read().decode().encode('utf-16'))" "$out/utf16" "$out/long" ;;
  fuzz-arpa)
    printf '\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1.0\t</s>\n-99\t<s>\t-0.5\n-0.5\tA\t-0.3\n-0.7\tB\n\n\\2-grams:\n-0.2\t<s> A\n-0.1\tA B\n\n\\end\\\n' > "$out/bigram"
    printf '\\data\\\nngram 1=3\nngram 2=1\nngram 3=1\n\n\\1-grams:\n-1\t</s>\n-99\t<s>\t-1\n-0.5\tA\t-0.2\n\n\\2-grams:\n-0.3\t<s> A\t-0.1\n\n\\3-grams:\n-0.1\t<s> A A\n\n\\end\\\n' > "$out/trigram" ;;
  fuzz-grammar)
    printf 'ONE\nTWO\nTHREE FOUR\n' > "$out/list"
    printf '#JSGF V1.0;\ngrammar digits;\n<digit> = ONE | TWO | THREE;\npublic <s> = <digit> [ <digit> ];\n' > "$out/jsgf" ;;
  fuzz-model)
    [ -x "$parrot" ] || { echo "make_seeds: $parrot missing, run ./setup.sh first" >&2; exit 2; }
    source "$root/recipes/common/corpora.sh"
    shared="$(find_corpora)/yesno/waves_yesno"
    mkdir -p "$scratch/data"
    echo "0_0_0_0_1_1_1_1 $shared/0_0_0_0_1_1_1_1.wav" > "$scratch/data/wav.scp"
    "$parrot" features "$scratch/data" "$scratch/feats" > /dev/null
    frames=$(python3 -c "import kaldiio; print(len(kaldiio.load_scp('$scratch/feats/feats.scp')['0_0_0_0_1_1_1_1']))")
    python3 -c "print('0_0_0_0_1_1_1_1', ' '.join(str(i % 3) for i in range($frames)))" > "$scratch/targets.txt"
    "$parrot" nnet-train "$scratch/feats" "$scratch/targets.txt" "$scratch/m0" --layers 0 --epochs 1 > /dev/null
    "$parrot" nnet-train "$scratch/feats" "$scratch/targets.txt" "$scratch/m1" --layers 1 --hidden 4 --epochs 1 > /dev/null
    cp "$scratch/m0/final.mdl" "$out/affine.mdl"
    cp "$scratch/m1/final.mdl" "$out/lstm.mdl" ;;
  fuzz-audio)
    for spec in "-b 16 -e signed" "-b 8 -e unsigned" "-b 24 -e signed" "-b 32 -e float" "-e a-law" "-e mu-law"; do
      name=$(echo "$spec" | tr -d ' -')
      sox -n -r 8000 $spec -c 1 "$out/$name.wav" synth 0.05 sine 440
    done
    sox -n -r 16000 -b 16 -c 2 "$out/stereo.wav" synth 0.05 sine 300 sine 500
    sox -n -r 16000 -b 16 -c 1 "$out/tone.flac" synth 0.05 sine 440
    sox -n -r 22050 -b 16 -c 1 "$out/tone.aiff" synth 0.05 sine 440 ;;
  *) echo "make_seeds: unknown target $target" >&2; exit 64 ;;
esac
echo "$(ls "$out" | wc -l) seeds in $out"
