#!/usr/bin/env bash
# Installs what Parrot needs on Debian 12 and builds it in release mode.
#   ./setup.sh                  install packages (apt-get, pip) and build
#   ./setup.sh --no-install     only build
#   ./setup.sh --corpora        also download the real corpora (FSDD, yesno) into ./corpora, for
#                               the full test suite and the digits and yesno recipes (see README,
#                               Corpora; recipes/common/download_corpora.sh does the download)
# The options combine, e.g. ./setup.sh --no-install --corpora.
set -euo pipefail
cd "$(dirname "$0")"
usage="usage: ./setup.sh [--no-install] [--corpora]"

install=1
corpora=0
for option in "$@"; do
  case "$option" in
    --no-install) install=0 ;;
    --corpora) corpora=1 ;;
    --help|-h) echo "$usage"; exit 0 ;;
    *) echo "setup.sh: unknown option '$option'; $usage" >&2; exit 2 ;;
  esac
done

if [ "$install" = 1 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "==> Installing Debian packages (libsndfile, FFTW, OpenBLAS, soxr, sox, eSpeak NG, flite, CMU dictionary, Spanish and German word lists, Chromium for the report test, curl for the corpora)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    pkg-config libsndfile1-dev libfftw3-dev libopenblas-dev libsoxr-dev sox libsox-fmt-all \
    espeak-ng libespeak-ng-dev flite1-dev pocketsphinx-en-us wspanish wngerman python3-pip chromium curl ca-certificates >/dev/null
  echo "==> Installing Python packages for interoperability tests (kaldiio, praatio)"
  python3 -m pip install --quiet --disable-pip-version-check kaldiio praatio numpy 2>&1 | grep -v "Running pip as the 'root' user" || true
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; else
    echo "setup.sh: no Swift toolchain found (need Swift 6; expected 'swift' on PATH or /opt/swift)" >&2; exit 1
  fi
fi

echo "==> Building Parrot (release)"
swift build -c release --product parrot 2>&1 | grep -E "error|Build complete" || true
swift build -c release --product parrot-corpus 2>&1 | grep -E "error|Build complete" || true
bindir="$(swift build -c release --show-bin-path)"
for tool in parrot parrot-corpus; do
  [ -x "$bindir/$tool" ] || { echo "setup.sh: building $tool failed" >&2; exit 1; }
done
mkdir -p bin
ln -sf "$bindir/parrot" bin/parrot
ln -sf "$bindir/parrot-corpus" bin/parrot-corpus
echo "==> Parrot is built: $bindir/parrot (and parrot-corpus, the built-in corpus maker)"
echo "    linked as $(pwd)/bin/parrot and bin/parrot-corpus; recipes find them there"
"$bindir/parrot" --version

if [ "$corpora" = 1 ]; then
  echo "==> Downloading the real corpora (FSDD, yesno) into $(pwd)/corpora"
  recipes/common/download_corpora.sh
fi
