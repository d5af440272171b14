#!/usr/bin/env bash
# Runs a recipe step's jobs on a Slurm cluster, in Kaldi's call form (as recipes/common/local.sh):
#
#   recipes/common/slurm.sh [--config FILE] [--mem M] [--cpus-per-task N] [--time T]
#                           [JOB=1:N] LOG_FILE COMMAND [ARG ...]
#
# Submits one job array per step (sbatch --array=1-N) and waits for it. Resources come from the
# config file (default conf/slurm.conf in the current directory if present; lines `key=value`
# with keys partition, mem, cpus_per_task, time, and extra for any other sbatch options),
# overridden by the options. Every occurrence of JOB in LOG_FILE and the arguments becomes the
# array index. Completion is read from per-job exit-status files written by the jobs themselves,
# not from sbatch --wait alone: a task that leaves the queue without one (killed, out of memory,
# node failure) counts as failed. The command runs in the current directory, which must be
# visible to the nodes (a shared file system), as must the parrot binary.
# Exits 1 naming the failed jobs' logs if any job failed.
set -uo pipefail
config=
[ -f conf/slurm.conf ] && config=conf/slurm.conf
mem= cpus= time_limit= partition= extra=
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --cpus-per-task|--num-threads) cpus=$2; shift 2 ;;
    --time) time_limit=$2; shift 2 ;;
    --max-jobs-run) shift 2 ;;   # Slurm schedules
    *) break ;;
  esac
done
if [ -n "$config" ]; then
  [ -f "$config" ] || { echo "$0: config file '$config' not found" >&2; exit 2; }
  while IFS='=' read -r key value; do
    key=$(echo "$key" | tr -d ' '); [ -z "$key" ] || [[ "$key" == \#* ]] && continue
    case "$key" in
      partition) partition=${partition:-$value} ;;
      mem) mem=${mem:-$value} ;;
      cpus_per_task) cpus=${cpus:-$value} ;;
      time) time_limit=${time_limit:-$value} ;;
      extra) extra=$value ;;
      *) echo "$0: $config: unknown key '$key' (partition, mem, cpus_per_task, time, extra)" >&2; exit 2 ;;
    esac
  done < "$config"
fi
first=1; last=1; ranged=false
if [[ "${1:-}" =~ ^JOB=([0-9]+):([0-9]+)$ ]]; then first=${BASH_REMATCH[1]}; last=${BASH_REMATCH[2]}; ranged=true; shift; fi
[ $# -ge 2 ] || { echo "usage: $0 [--config FILE] [--mem M] [--cpus-per-task N] [--time T] [JOB=1:N] LOG_FILE COMMAND [ARG ...]" >&2; exit 2; }
log_template=$1; shift
if $ranged && [[ "$log_template" != *JOB* ]]; then echo "$0: with JOB=$first:$last the log file name must contain JOB" >&2; exit 2; fi
command -v sbatch >/dev/null || { echo "$0: sbatch not found: is Slurm installed and on PATH?" >&2; exit 1; }

log_dir=$(cd "$(dirname "$log_template")" 2>/dev/null && pwd || { mkdir -p "$(dirname "$log_template")" && cd "$(dirname "$log_template")" && pwd; })
log_name=$(basename "$log_template")
queue_dir="$log_dir/q"
mkdir -p "$queue_dir"
step=${log_name//.JOB/}; step=${step%.log}
script="$queue_dir/$step.sh"
status_prefix="$queue_dir/$step.status"
rm -f "$status_prefix".*
{
  echo '#!/usr/bin/env bash'
  echo "cd $(printf '%q' "$PWD")"
  printf 'args=('; printf ' %q' "$@"; printf ' )\n'
  echo 'job=${SLURM_ARRAY_TASK_ID:-1}'
  echo 'args=("${args[@]//JOB/$job}")'
  echo "log=$(printf '%q' "$log_dir/$log_name")"
  echo 'log=${log//JOB/$job}'
  echo '{'
  echo '  printf "#"; printf " %q" "${args[@]}"; printf "\n"'
  echo '  echo "# Started at $(date "+%Y-%m-%d %H:%M:%S") on $(hostname) (Slurm job ${SLURM_ARRAY_JOB_ID:-?}_$job)"'
  echo '  start=$SECONDS'
  echo '  "${args[@]}"'
  echo '  code=$?'
  echo '  echo "# Accounting: time=$((SECONDS - start)) s"'
  echo '  echo "# Ended (code $code) at $(date "+%Y-%m-%d %H:%M:%S")"'
  echo '} > "$log" 2>&1 < /dev/null'
  echo "echo \$code > $(printf '%q' "$status_prefix").\$job.tmp && mv $(printf '%q' "$status_prefix").\$job.tmp $(printf '%q' "$status_prefix").\$job"
  echo 'exit $code'
} > "$script"
chmod +x "$script"

options=(--parsable --job-name="$step" --array="$first-$last" --output="$queue_dir/$step.%a.out")
[ -n "$partition" ] && options+=(--partition="$partition")
[ -n "$mem" ] && options+=(--mem="$mem")
[ -n "$cpus" ] && options+=(--cpus-per-task="$cpus")
[ -n "$time_limit" ] && options+=(--time="$time_limit")
# shellcheck disable=SC2206
[ -n "$extra" ] && options+=($extra)
job_id=$(sbatch "${options[@]}" "$script") || { echo "$0: sbatch failed for $step" >&2; exit 1; }
job_id=${job_id%%;*}

# Wait until every task has written its status file, or has left the queue without one.
total=$((last - first + 1))
delay=0.2
while true; do
  done_count=0
  for job in $(seq "$first" "$last"); do [ -f "$status_prefix.$job" ] && done_count=$((done_count + 1)); done
  [ "$done_count" -eq "$total" ] && break
  if [ -z "$(squeue -h -j "$job_id" -o %i 2>/dev/null)" ]; then
    sleep 1   # a finishing task may still be writing its status file
    break
  fi
  sleep "$delay"
  delay=$(awk -v d="$delay" 'BEGIN { d *= 1.5; print (d > 5 ? 5 : d) }')
done
failed=()
for job in $(seq "$first" "$last"); do
  code=$(cat "$status_prefix.$job" 2>/dev/null || echo "none: the task left the queue without finishing, see $queue_dir/$step.$job.out")
  [ "$code" = 0 ] || failed+=("${log_template//JOB/$job} (exit $code)")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "$0: ${#failed[@]} of $total jobs of Slurm job $job_id failed: ${failed[*]}" >&2
  exit 1
fi
