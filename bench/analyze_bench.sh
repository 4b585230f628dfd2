#!/bin/sh
# End-to-end benchmark of `ecotone analyze --output json` on generated Compose
# files (bench/gen_compose.py: N services x 5 dependencies, half depends_on,
# half URLs in environment values). Prints wall time and peak RSS per size.
# Usage: bench/analyze_bench.sh [ECOTONE_BIN] [SIZES...]
# Target (docs/analyze.md): 10,000 services in <= 1 s and <= 300 MB.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/ecotone}
[ $# -gt 0 ] && shift
sizes=${*:-1000 10000 100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %-9s %-10s %-10s %-8s %s\n' services file_MB wall_s max_rss_MB exit json_MB
for n in $sizes; do
  f=$tmp/compose-$n.yaml
  python3 "$here/gen_compose.py" "$n" 5 > "$f"
  set +e
  /usr/bin/time -v "$bin" analyze --output json "$f" > "$tmp/out.json" 2> "$tmp/time.txt"
  rc=$?
  set -e
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt" |
         awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
  printf '%-9s %-9.1f %-10s %-10.1f %-8s %.1f\n' "$n" \
    "$(stat -c %s "$f" | awk '{print $1/1048576}')" "$wall" \
    "$(echo "$rss" | awk '{print $1/1024}')" "$rc" \
    "$(stat -c %s "$tmp/out.json" | awk '{print $1/1048576}')"
  if [ "$rc" -ge 2 ]; then grep -v '^\s' "$tmp/time.txt" | head -5; fi
done
