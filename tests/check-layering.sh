#!/usr/bin/env bash
# The rooms of docs/ARCHITECTURE.md, checked on the includes: output sits on top. Every room of
# core but core/report (capture, dissect, index, analyze, filter, compare, evidence, diagnose,
# session, probe, live, util, and any room added later) includes nothing from core/report: the
# writers (text, JSON, PDF, packet export, fix script) sit above what they write. core/evidence
# (the parsers of host evidence text) includes nothing from core/diagnose or core/session: facts
# are derived above it. Nothing in core includes a ui/ header. With UI_DIR: Qt Charts stays
# behind ui/charts (no file of ui/pages includes a Qt Charts header or names a Qt Charts class).
# Prints every offending line.
set -uo pipefail
CORE=${1:?usage: check-layering.sh CORE_DIR [UI_DIR]}
UI=${2:-}
bad=0
rooms=0
for dir in "$CORE"/*/; do
  room=$(basename "$dir")
  [ "$room" = report ] && continue
  rooms=$((rooms + 1))
  if grep -rnE '#include[[:space:]]+"(\.\./)*(core/)?report/' "$dir" --include='*.h' --include='*.cpp'; then
    echo "core/$room includes core/report (the writers sit above it)" >&2
    bad=1
  fi
done
if [ "$rooms" -lt 12 ]; then
  echo "only $rooms rooms under $CORE: not the core folder?" >&2
  bad=1
fi
if grep -rnE '#include[[:space:]]+"(\.\./)*(core/)?(diagnose|session)/' "$CORE/evidence"; then
  echo "core/evidence includes core/diagnose or core/session (parsers sit below the diagnosis)" >&2
  bad=1
fi
if grep -rnE '#include[[:space:]]+"(\.\./)*(ui|pages|widgets|charts|models|loader)/' "$CORE"; then
  echo "core includes a ui/ header" >&2
  bad=1
fi
if [ -n "$UI" ]; then
  [ -d "$UI/pages" ] || { echo "no pages folder under $UI: not the ui folder?" >&2; bad=1; }
  charts='QtCharts|QChart|QChartView|QLegend|QAbstractAxis|QAbstractSeries|QValueAxis|QLogValueAxis|QCategoryAxis|QBarCategoryAxis|QDateTimeAxis|QAbstractBarSeries|QBarSeries|QBarSet|QStackedBarSeries|QPercentBarSeries|QHorizontalBarSeries|QXYSeries|QLineSeries|QSplineSeries|QScatterSeries|QAreaSeries|QPieSeries|QPieSlice|QBoxPlotSeries|QCandlestickSeries'
  if grep -rnE "#include[[:space:]]*<(QtCharts/)?($charts)>|\\b($charts)\\b" "$UI/pages"; then
    echo "ui/pages uses Qt Charts directly (charts go behind ui/charts)" >&2
    bad=1
  fi
fi
exit $bad
