#!/usr/bin/env bash
# The rooms of docs/ARCHITECTURE.md, checked on the includes: output sits on top. The layers
# below core/report (index, compare, analyze, dissect, util, filter) include nothing from
# core/report, and nothing in core includes a ui/ header. Prints every offending line.
set -uo pipefail
CORE=${1:?usage: check-layering.sh CORE_DIR}
bad=0
for room in index compare analyze dissect util filter; do
  if grep -nE '#include[[:space:]]+"(\.\./)?report/' "$CORE/$room"/*.h "$CORE/$room"/*.cpp; then
    echo "core/$room includes core/report (the writers sit above it)" >&2
    bad=1
  fi
done
if grep -rnE '#include[[:space:]]+"(\.\./)*(ui|pages|widgets|charts|models|loader)/' "$CORE"; then
  echo "core includes a ui/ header" >&2
  bad=1
fi
exit $bad
