#!/usr/bin/env bash
# Writes scripts/hot-code.txt: the functions of the loa binary that the
# station's own work runs (the daemon planning, airing and logging a
# program; `loa play` measuring and playing), as the release link's
# --symbol-ordering-file.
#
# Why: loa links the Swift runtime and Foundation in, so its code is 20 MB,
# and the kernel maps code 64 KiB around each page a process touches. A few
# hundred kilobytes of functions spread over the whole binary kept 8 MB of
# it resident. Placed together at the front of .text, they keep about a
# third of that (see the README's figures).
#
# How: valgrind's callgrind runs each workload and names every function it
# executed. Function names are stable from build to build, so the list only
# needs regenerating when the code the station runs has changed much; a
# function that is missing from it still works, it is only placed elsewhere.
#
# Usage: scripts/order-hot-code.sh   (needs valgrind; takes a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

command -v valgrind >/dev/null || scripts/install-deps.sh --layout

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The link map says which input section each function is in.
rm -f .build/release/loa
make --no-print-directory release RELEASE_EXTRA="--product loa -Xlinker -Map=$work/loa.map" >/dev/null
# Valgrind cannot read the DWARF 5 debug information Swift writes; the
# symbol table is all it needs.
objcopy --strip-debug .build/release/loa "$work/loa"

profile() {
  local name=$1
  shift
  echo "profiling: loa $*" >&2
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.out" \
    "$work/loa" "$@" >/dev/null 2>"$work/$name.log" || {
    cat "$work/$name.log" >&2
    exit 1
  }
}

# The daemon's steady state: what runs while a program is on air and as it
# ends (callgrind's counts are zeroed once it is on air). These functions
# come first, so that what stays resident between one-off tasks is dense.
echo "profiling: loa run, while on air" >&2
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/steady.out" \
  "$work/loa" run --schedule schedules --state "$work/steady" --output null \
  --pretend-time "2025-10-01 05:29:57" --stop-after 1 >/dev/null 2>"$work/steady.log" &
daemon=$!
until grep -q "on air:" "$work/steady.log"; do
  kill -0 $daemon 2>/dev/null || { cat "$work/steady.log" >&2; exit 1; }
  sleep 1
done
callgrind_control --zero $daemon >/dev/null 2>&1
wait $daemon

# Then everything else, each twice: on a fresh state folder (creating the
# log, measuring the audio) and on the state the first run left
# (reconciling the log, reading measurements back; for the daemon, a day
# later, so that it also logs the airings it was not running for as missed).
for day in 01 02; do
  profile "play-$day" play --state "$work/play" --output null --loudness -16 \
    audio/nhac-hieu.ogg audio/nhac-hieu-ket.ogg
  profile "run-$day" run --schedule schedules --state "$work/run" --output null \
    --pretend-time "2025-10-$day 05:29:57" --stop-after 1
done

# Callgrind names the functions of each object once ("fn=(id) name") and
# refers to them by id afterwards; keep those of the loa binary, in order of
# first appearance, without callgrind's recursion suffix ('2).
executed() {
  awk -v binary="$work/loa" '
    FNR == 1 { delete objects; delete names; current = "" }
    /^c?ob=\(/ {
      id = $1; sub(/^c?ob=/, "", id)
      if (NF > 1) objects[id] = $2
      if ($1 ~ /^ob=/) current = objects[id]
    }
    /^c?fn=\(/ {
      id = $1; sub(/^c?fn=/, "", id)
      if (NF > 1) names[id] = $2
      if ($1 !~ /^fn=/ || current != binary) next
      name = names[id]
      sub(/'\''[0-9]+$/, "", name)
      if (name !~ /^0x/) print name
    }
  ' "$@"
}
{
  executed "$work/steady.out"
  executed "$work"/play-*.out "$work"/run-*.out
} | awk '!seen[$0]++' >"$work/executed.txt"

# Functions that share one .text section with others (the Swift standard
# library, CoreFoundation) move only as a whole: list them last, so that
# they do not split the functions that move alone.
awk '
  NR == FNR { wanted[$0] = 1; rank[++count] = $0; next }
  $5 ~ /:\(\.text/ { whole = ($5 ~ /:\(\.text\)$/); next }
  NF == 5 && ($5 in wanted) && whole { shared[$5] = 1 }
  END {
    for (i = 1; i <= count; i++) if (!(rank[i] in shared)) print rank[i]
    for (i = 1; i <= count; i++) if (rank[i] in shared) print rank[i]
  }
' "$work/executed.txt" "$work/loa.map" >scripts/hot-code.txt
echo "scripts/hot-code.txt: $(wc -l <scripts/hot-code.txt) functions" >&2
