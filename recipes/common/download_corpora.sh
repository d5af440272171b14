#!/usr/bin/env bash
# Downloads the real corpora the tests and the digits and yesno recipes use, checks each archive
# against the SHA-256 below and unpacks it to the layout they read (see recipes/common/corpora.sh).
#
#   recipes/common/download_corpora.sh [--dest DIR] [CORPUS...]
#   e.g.: recipes/common/download_corpora.sh                   (FSDD and yesno into ./corpora)
#         recipes/common/download_corpora.sh --dest /data/corpora yesno
#
# CORPUS is fsdd (the Free Spoken Digit Dataset, release v1.0.9: 2,500 WAVs, 5 speakers, from its
# GitHub repository) or yesno (Kaldi's yesno, 60 WAVs, OpenSLR resource 1); default both.
# DIR defaults to corpora/ inside the project. A corpus already in place is left alone.
#
# Each archive is downloaded to a temporary name in DIR, checked, unpacked into a temporary folder
# in DIR and only then renamed to DIR/fsdd or DIR/yesno, so a failed or interrupted run (no
# network, a wrong checksum, a broken archive) leaves nothing half-written.
#
# Where the archives come from, and their checksums, can be overridden (a mirror, a local copy):
#   PARROT_FSDD_URL, PARROT_FSDD_SHA256, PARROT_YESNO_URL, PARROT_YESNO_SHA256
# URLs may be file:// URLs. Exit status 0 when every corpus asked for is in place, 1 otherwise.
set -euo pipefail
project_root="$(cd "$(dirname "$0")/../.." && pwd)"
usage="usage: recipes/common/download_corpora.sh [--dest DIR] [fsdd] [yesno]"

# Where each corpus comes from and the SHA-256 its archive must have. Neither checksum has been
# verified by Parrot: the machines it is developed on cannot reach these hosts. Both are the
# values other projects pin for the same archives, and a download is checked against them:
#   FSDD v1.0.9: TensorFlow Datasets, tensorflow_datasets/audio/spoken_digit/checksums.tsv (the
#     same URL, 11,975,353 bytes). GitHub makes tag archives on request; should it ever change
#     how, the check refuses the new archive: check its contents yourself and set
#     PARROT_FSDD_SHA256 to its SHA-256.
#   yesno: torchaudio, torchaudio/datasets/yesno.py (the same file over http; torchaudio's
#     download checks the SHA-256; TorchSharp's port pins the same value).
fsdd_url=${PARROT_FSDD_URL:-https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.9.tar.gz}
fsdd_sha256=${PARROT_FSDD_SHA256:-8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0}
yesno_url=${PARROT_YESNO_URL:-https://www.openslr.org/resources/1/waves_yesno.tar.gz}
yesno_sha256=${PARROT_YESNO_SHA256:-c3f49e0cca421f96b75b41640749167b52118f232498667ca7a5f9416aef8e73}

dest="$project_root/corpora"
corpora=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; dest=$2; shift 2 ;;
    --help|-h) echo "$usage"; exit 0 ;;
    fsdd|yesno) corpora+=("$1"); shift ;;
    *) echo "unknown corpus or option '$1'; $usage" >&2; exit 2 ;;
  esac
done
[ ${#corpora[@]} -gt 0 ] || corpora=(fsdd yesno)
command -v curl > /dev/null || { echo "download_corpora: curl not found (Debian package curl; ./setup.sh installs it)" >&2; exit 1; }
created_dest=0
[ -d "$dest" ] || created_dest=1
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

# Temporary files and folders of the corpus being fetched, removed however the script ends, and
# DIR itself if this run made it and leaves it empty.
scratch=()
cleanup() { [ ${#scratch[@]} -eq 0 ] || rm -rf "${scratch[@]}"; }
finish() {
  cleanup
  if [ "$created_dest" = 1 ]; then rmdir "$dest" 2> /dev/null || true; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

# fetch NAME URL SHA256 INNER LEAF: DIR/NAME/LEAF from the archive's folder matching INNER.
fetch() {
  local name=$1 url=$2 sha256=$3 inner=$4 leaf=$5
  local target="$dest/$name"
  if [ -d "$target/$leaf" ]; then
    echo "$name: already in $target/$leaf, left as it is"
    return 0
  fi
  if [ -e "$target" ]; then
    echo "$name: $target exists but has no $leaf/; remove it and run again" >&2
    return 1
  fi
  local archive work
  # (Called as `fetch ... || status=1`, where set -e does not apply: every step checks itself.)
  archive=$(mktemp "$dest/.$name.download.XXXXXX") || return 1
  scratch+=("$archive")
  work=$(mktemp -d "$dest/.$name.unpack.XXXXXX") || return 1
  scratch+=("$work")

  echo "$name: downloading $url"
  local error
  if ! error=$(curl --fail --silent --show-error --location --connect-timeout 20 --retry 2 --output "$archive" "$url" 2>&1); then
    error=${error##*$'\n'}   # curl's last word, after any retries
    echo "$name: could not download $url (no network, or the address moved?): ${error#curl: }" >&2
    echo "$name: nothing was written to $dest; download the archive by other means and set PARROT_${name^^}_URL=file:///path/to/it" >&2
    return 1
  fi
  local actual
  actual=$(sha256sum "$archive" | cut -d' ' -f1)
  if [ "$actual" != "$sha256" ]; then
    echo "$name: checksum mismatch for $url: expected SHA-256 $sha256, got $actual; the archive was deleted and nothing was written to $dest" >&2
    return 1
  fi

  mkdir "$work/archive" "$work/$name" || return 1
  if ! tar -xzf "$archive" -C "$work/archive" 2>&1; then
    echo "$name: cannot unpack $url; nothing was written to $dest" >&2
    return 1
  fi
  # INNER is a pattern relative to the archive's top (e.g. */recordings): exactly one folder.
  local matches=()
  shopt -s nullglob
  # shellcheck disable=SC2206
  matches=("$work"/archive/$inner)
  shopt -u nullglob
  if [ ${#matches[@]} -ne 1 ] || [ ! -d "${matches[0]}" ]; then
    echo "$name: the archive from $url has no single $inner/ folder; nothing was written to $dest" >&2
    return 1
  fi
  local count
  count=$(find "${matches[0]}" -maxdepth 1 -name '*.wav' | wc -l)
  if [ "$count" -eq 0 ]; then
    echo "$name: $inner/ in the archive from $url holds no .wav files; nothing was written to $dest" >&2
    return 1
  fi
  mv "${matches[0]}" "$work/$name/$leaf" || return 1
  mv -T "$work/$name" "$target" || return 1   # a rename within DIR: the corpus appears whole
  echo "$name: $count recordings in $target/$leaf"
}

status=0
for corpus in "${corpora[@]}"; do
  case $corpus in
    fsdd) fetch fsdd "$fsdd_url" "$fsdd_sha256" "*/recordings" recordings || status=1 ;;
    yesno) fetch yesno "$yesno_url" "$yesno_sha256" "waves_yesno" waves_yesno || status=1 ;;
  esac
  cleanup
  scratch=()
done
if [ "$status" = 0 ]; then
  echo "Corpora are in $dest: the tests and recipes find them there (see README, Corpora)"
fi
exit "$status"
