#!/usr/bin/env bash
# Runs a recipe step's jobs on this machine, in Kaldi's run.pl call form:
#
#   recipes/common/local.sh [--max-jobs-run N] [JOB=1:N] LOG_FILE COMMAND [ARG ...]
#
# Every occurrence of JOB in LOG_FILE and the arguments is replaced by the job's number (with
# no JOB=1:N range, one job runs). Each job's log starts with its command line and start time
# and ends with its exit code and end time. At most --max-jobs-run jobs (default: the number of
# cores) run at once. Exits 1 naming the failed jobs' logs if any job failed.
set -uo pipefail
max_jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --max-jobs-run) max_jobs=$2; shift 2 ;;
    --mem|--cpus-per-task|--time|--num-threads|--config) shift 2 ;;   # Slurm resources: nothing to do here
    *) break ;;
  esac
done
first=1; last=1; ranged=false
if [[ "${1:-}" =~ ^JOB=([0-9]+):([0-9]+)$ ]]; then first=${BASH_REMATCH[1]}; last=${BASH_REMATCH[2]}; ranged=true; shift; fi
[ $# -ge 2 ] || { echo "usage: $0 [--max-jobs-run N] [JOB=1:N] LOG_FILE COMMAND [ARG ...]" >&2; exit 2; }
log_template=$1; shift
if $ranged && [[ "$log_template" != *JOB* ]]; then echo "$0: with JOB=$first:$last the log file name must contain JOB" >&2; exit 2; fi

status_dir=$(mktemp -d)
trap 'rm -rf "$status_dir"' EXIT
run_job() {
  local job=$1; shift
  local log=${log_template//JOB/$job}
  local args=("${@//JOB/$job}")
  mkdir -p "$(dirname "$log")"
  {
    printf '#'; printf ' %q' "${args[@]}"; printf '\n'
    echo "# Started at $(date '+%Y-%m-%d %H:%M:%S') on $(hostname)"
    local start=$SECONDS
    "${args[@]}"
    local code=$?
    echo "# Accounting: time=$((SECONDS - start)) s"
    echo "# Ended (code $code) at $(date '+%Y-%m-%d %H:%M:%S')"
    echo "$code" > "$status_dir/$job"
  } > "$log" 2>&1 < /dev/null
}
running=0
for job in $(seq "$first" "$last"); do
  if [ "$running" -ge "$max_jobs" ]; then wait -n; running=$((running - 1)); fi
  run_job "$job" "$@" &
  running=$((running + 1))
done
wait
failed=()
for job in $(seq "$first" "$last"); do
  code=$(cat "$status_dir/$job" 2>/dev/null || echo missing)
  [ "$code" = 0 ] || failed+=("${log_template//JOB/$job} (exit $code)")
done
total=$((last - first + 1))
if [ ${#failed[@]} -gt 0 ]; then
  echo "$0: ${#failed[@]} of $total jobs failed: ${failed[*]}" >&2
  exit 1
fi
