#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a
# bounded time: FUZZ_SECONDS (default 60) each. A crash, a leak or a failed
# check stops that target and fails the script. Prints one closing line,
# "tests: N passed, N failed", one test per target.
#   test/fuzz/run.sh [TARGET...]      (default: every target)
set -uo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(protocol options jpeg-dc fastload-jpeg png webp exif icc)

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  CC=clang meson setup "$BUILD_DIR" -Dfuzz=true -Dtests=false -Db_lundef=false \
    -Db_sanitize=address,undefined >/dev/null || { echo "tests: 0 passed, 1 failed"; exit 1; }
fi
meson compile -C "$BUILD_DIR" || { echo "tests: 0 passed, 1 failed"; exit 1; }

passed=0 failed=0
for t in "${targets[@]}"; do
  corpus="$BUILD_DIR/corpus-$t"
  mkdir -p "$corpus"
  dict=() seeds=()
  [ -f "test/fuzz/$t.dict" ] && dict=("-dict=test/fuzz/$t.dict")
  # Checked-in seeds are read, never written: new inputs go to $corpus.
  [ -d "test/fuzz/seeds-$t" ] && seeds=("test/fuzz/seeds-$t")
  echo "fuzz $t: ${SECONDS_EACH} s"
  if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "$BUILD_DIR/test/fuzz/fuzz-$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" \
       -artifact_prefix="$BUILD_DIR/crash-$t-" -print_final_stats=1 "$corpus" "${seeds[@]}" 2>"$BUILD_DIR/fuzz-$t.log"; then
    tail -n 3 "$BUILD_DIR/fuzz-$t.log"
    echo "ok fuzz $t"
    passed=$((passed + 1))
  else
    tail -n 40 "$BUILD_DIR/fuzz-$t.log"
    echo "not ok fuzz $t: see $BUILD_DIR/fuzz-$t.log and $BUILD_DIR/crash-$t-*"
    failed=$((failed + 1))
  fi
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
