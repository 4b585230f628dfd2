#!/usr/bin/env bash
# fuzz/seed.sh TARGET DIR: copies the seed inputs listed in fuzz/TARGET.seeds
# (one glob per line, relative to the repository root; ${DATA} is the shared
# data directory) into DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
DATA=${ECOTONE_SHARED_DATA:-$(cd .. && pwd)/shared/data}
list="fuzz/$1.seeds"
[ -f "$list" ] || exit 0
while IFS= read -r pat; do
  [ -z "$pat" ] && continue
  case "$pat" in \#*) continue;; esac
  pat=${pat//\$\{DATA\}/$DATA}
  for f in $pat; do [ -f "$f" ] && cp "$f" "$2/$(echo "$f" | tr '/' '_')"; done
done < "$list"
