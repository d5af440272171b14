# Shared by every recipe: sourced after the recipe sets its defaults.
#   - finds the parrot binary (bin/parrot from ./setup.sh, or $PARROT, or parrot on PATH)
#   - parses --stage N, --stop-stage N, --nj N, --cmd local|slurm|COMMAND, --corpora DIR and
#     --name=value options into variables
#   - find_corpora "$corpora": the corpora folder (--corpora DIR, $PARROT_CORPORA, ../shared/corpora
#     beside the project, ./corpora inside it; see common/corpora.sh)
#   - cmd: the job launcher, called Kaldi's way: $cmd [JOB=1:N] LOG_FILE COMMAND ... (local.sh
#     runs jobs here, slurm.sh submits a job array; Slurm resources from conf/slurm.conf)
#   - log: timestamped messages; stage N "title": true when stage N should run and is not done;
#     stage_done N marks it finished (a sentinel under $exp/.done), so re-runs skip it.
set -euo pipefail

recipes_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project_root="$(cd "$recipes_root/.." && pwd)"

source "$recipes_root/common/find_parrot.sh"
source "$recipes_root/common/corpora.sh"

stage=${stage:-0}
stop_stage=${stop_stage:-100}
nj=${nj:-2}
cmd=${cmd:-local}
corpora=${corpora:-}

positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) echo "$usage"; exit 0 ;;
    --*=*) name="${1%%=*}"; name="${name#--}"; printf -v "${name//-/_}" '%s' "${1#*=}"; shift ;;
    --*) [ $# -ge 2 ] || { echo "option $1 needs a value" >&2; exit 2; }
         name="${1#--}"; printf -v "${name//-/_}" '%s' "$2"; shift 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
set -- "${positional[@]+"${positional[@]}"}"

case "$cmd" in
  local) cmd="$recipes_root/common/local.sh --max-jobs-run $nj" ;;
  slurm) cmd="$recipes_root/common/slurm.sh" ;;
esac

# combine_outputs OUT PART_DIR...: concatenates the parts' text, CTMs and failure lists, sorted.
combine_outputs() {
  local out=$1; shift
  mkdir -p "$out"
  for f in text phones.ctm words.ctm failed.txt; do
    local parts=()
    for d in "$@"; do [ -f "$d/$f" ] && parts+=("$d/$f"); done
    [ ${#parts[@]} -gt 0 ] && LC_ALL=C sort -s -k1,1 "${parts[@]}" > "$out/$f"
  done
  return 0
}

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') [$(basename "$(dirname "$0")")] $*"; }

# stage N "title": whether to run stage N now.
stage() {
  local n=$1; shift
  [ "$n" -ge "$stage" ] && [ "$n" -le "$stop_stage" ] || return 1
  if [ -f "$exp/.done/stage$n" ]; then log "stage $n ($*): already done, skipping (remove $exp/.done/stage$n to redo)"; return 1; fi
  log "stage $n: $*"
  return 0
}
stage_done() { mkdir -p "$exp/.done"; touch "$exp/.done/stage$1"; }
