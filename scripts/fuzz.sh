#!/bin/bash
# Builds the libFuzzer targets (clang, preset "fuzz") and runs each for a bounded time.
#   scripts/fuzz.sh            every target for 60 s
#   FUZZ_SECONDS=10 scripts/fuzz.sh [NAME...]   chosen targets, 10 s each
# Corpora are kept in build/fuzz/corpus/<target>/ between runs; crashes land in
# build/fuzz/crashes/ and make the script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
bash scripts/deps.sh
cmake --preset fuzz >/dev/null
mapfile -t targets <build/fuzz/fuzz-targets.txt
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets"; exit 1; }
names=(); for t in "${targets[@]}"; do names+=("$(basename "$t")"); done
# Only the fuzz targets and what they link: the rest of the tree is not needed here.
cmake --build --preset fuzz -j"$(nproc)" --target "${names[@]}" >build/build-fuzz.log 2>&1 || {
  tail -40 build/build-fuzz.log; echo "fuzz build failed"; exit 1; }
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets"; exit 1; }
mkdir -p build/fuzz/crashes
failed=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  corpus=build/fuzz/corpus/$name; mkdir -p "$corpus"
  echo "== $name ($SECONDS_EACH s)"
  if "$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=build/fuzz/crashes/"$name"- -print_final_stats=1 "$corpus" \
      >build/fuzz/"$name".log 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' build/fuzz/"$name".log | tr '\n' ' '; echo
    echo "   $name: no crash"
  else
    tail -30 build/fuzz/"$name".log
    echo "   $name: FAILED (artifacts in build/fuzz/crashes/)"
    failed=1
  fi
done
exit $failed
