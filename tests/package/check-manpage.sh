#!/usr/bin/env bash
# Every option a program's --help prints appears in its man page (as an option word of its own).
#   tests/package/check-manpage.sh PAGE PROGRAM [ARGS...]
# PAGE is the troff source, gzipped or not. Run by ctest (man_*) on the built programs and
# resources/man/, and by test-deb.sh on the installed ones.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 PAGE PROGRAM [ARGS...]" >&2; exit 2; }
page=$1; shift
[ -r "$page" ] || { echo "check-manpage: cannot read $page" >&2; exit 2; }
help=$(QT_QPA_PLATFORM=offscreen "$@" --help 2>&1) || { echo "check-manpage: $* --help failed" >&2; exit 2; }
# troff writes '-' as '\-' and switches fonts with \fB, \fI, \fR, \fP.
src=$(zcat -f -- "$page" | sed 's/\\-/-/g; s/\\f[BIRP]//g')
# Options: -x or --word after the start of a line, a space, '[', ',', '|' or '('.
mapfile -t opts < <(grep -oE '(^|[][ ,|(])--?[A-Za-z0-9][A-Za-z0-9-]*' <<<"$help" | grep -oE -- '--?[A-Za-z0-9-]+' | sort -u)
[ ${#opts[@]} -gt 0 ] || { echo "check-manpage: found no option in $* --help" >&2; exit 2; }
missing=()
for opt in "${opts[@]}"; do
  grep -qP -- "(?<![A-Za-z0-9-])\\Q$opt\\E(?![A-Za-z0-9-])" <<<"$src" || missing+=("$opt")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-manpage: $page lacks ${missing[*]} (of the ${#opts[@]} options $(basename "$1") --help prints)"
  exit 1
fi
echo "check-manpage: $page has all ${#opts[@]} options of $(basename "$1") --help: ${opts[*]}"
