# Sourced by the recipe scripts: sets `parrot` to the binary to run — $PARROT if set, else
# bin/parrot from ./setup.sh, else parrot on PATH — or exits saying how to get one.
if [ -n "${PARROT:-}" ]; then parrot="$PARROT"
elif [ -x "$(dirname "${BASH_SOURCE[0]}")/../../bin/parrot" ]; then parrot="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../bin" && pwd)/parrot"
elif command -v parrot >/dev/null 2>&1; then parrot="$(command -v parrot)"
else echo "parrot binary not found: run ./setup.sh first (or set PARROT=/path/to/parrot)" >&2; exit 1
fi
