# Sourced by the recipes, bench/ and .ci/run: where the real corpora (FSDD, yesno) are.
#
#   find_corpora [DIR]     prints the corpora folder, e.g. find_corpora "$corpora" (--corpora DIR)
#
# The first of, in this order:
#   1. DIR, the recipe's --corpora DIR, when given;
#   2. $PARROT_CORPORA, when set;
#   3. ../shared/corpora beside the project;
#   4. ./corpora inside the project (where ./setup.sh --corpora downloads them).
# An explicit folder (1 or 2) that does not exist is an error, not a reason to look further.
# Inside it, FSDD is fsdd/recordings/*.wav and yesno is yesno/waves_yesno/*.wav. The Swift tests
# look in the same places (TestSupport.corporaDirectory); keep the two in step.
# When nothing is found, says where it looked and how to get the corpora, and returns 1.

parrot_project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

find_corpora() {
  local explicit=${1:-} how=
  if [ -n "$explicit" ]; then how="--corpora"
  elif [ -n "${PARROT_CORPORA:-}" ]; then explicit=$PARROT_CORPORA how="PARROT_CORPORA"
  fi
  if [ -n "$explicit" ]; then
    [ -d "$explicit" ] || { echo "corpora not found: $how names '$explicit', which is not a folder" >&2; return 1; }
    (cd "$explicit" && pwd)
    return 0
  fi
  local candidate
  for candidate in "$parrot_project_root/../shared/corpora" "$parrot_project_root/corpora"; do
    if [ -d "$candidate" ]; then (cd "$candidate" && pwd); return 0; fi
  done
  echo "corpora not found: looked in $(cd "$parrot_project_root/.." && pwd)/shared/corpora and $parrot_project_root/corpora" \
    "(PARROT_CORPORA and --corpora not given); run ./setup.sh --corpora to download FSDD and yesno (see README, Corpora)" >&2
  return 1
}
