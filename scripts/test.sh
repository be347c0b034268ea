#!/bin/bash
# The whole test suite: installs dependencies, configures, builds and runs every test with
# ctest, printing which tests ran and ctest's summary. This is what CI runs.
#   scripts/test.sh              release build, all tests except the long ones
#   ELKFS_PRESET=asan scripts/test.sh   the same under AddressSanitizer + UBSan
#   ELKFS_LONG=1 scripts/test.sh        also the long soak tests (label "long")
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${ELKFS_PRESET:-release}
JOBS=${ELKFS_JOBS:-$(nproc)}

bash scripts/deps.sh
echo "== configure ($PRESET)"
cmake --preset "$PRESET" >/dev/null
echo "== build"
mkdir -p build
if ! cmake --build --preset "$PRESET" -j"$JOBS" >build/build-$PRESET.log 2>&1; then
  grep -E 'error|Error' build/build-$PRESET.log | head -40
  tail -40 build/build-$PRESET.log
  echo "build failed (full log: build/build-$PRESET.log)"
  exit 1
fi

echo "== tests"
ctest_args=(--preset "$PRESET" -j"$JOBS" --output-on-failure --no-tests=error)
if [ "${ELKFS_LONG:-0}" != 1 ]; then ctest_args+=(-LE long); fi
ctest "${ctest_args[@]}" -N | sed -n 's/^ *Test *#[0-9]*: /  will run: /p'
ctest "${ctest_args[@]}"
