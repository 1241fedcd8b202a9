#!/usr/bin/env bash
# Set-up and everyday commands for shardpix on Debian 12.
#   ./dev.sh demo   install what is missing, build, make a sample folder, run the job, bench it
#   ./dev.sh test   install what is missing, build, run the whole test suite
#   ./dev.sh deps | build
# BUILD_DIR (default build) and MESON_ARGS (extra `meson setup` arguments)
# choose the build; SAMPLE_COUNT the size of the demo folder.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
MESON_ARGS=${MESON_ARGS:-}
SAMPLE_COUNT=${SAMPLE_COUNT:-300}
PACKAGES=(gcc meson ninja-build pkg-config libvips-dev libglib2.0-dev libjson-glib-dev libjpeg62-turbo-dev libwebp-dev libpng-dev libdeflate-dev python3 scdoc clang libclang-rt-14-dev libfuse3-dev fuse3)

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    # shellcheck disable=SC2086
    meson setup "$BUILD_DIR" $MESON_ARGS
  fi
  meson compile -C "$BUILD_DIR"
}

demo() {
  deps
  build
  local bin="$BUILD_DIR/cmd/shardpix"
  if [ ! -f sample-images/.complete ] || [ "$(cat sample-images/.complete)" != "$SAMPLE_COUNT" ]; then
    rm -rf sample-images
    "$bin" sample sample-images --count "$SAMPLE_COUNT" --max-megapixels 6
    echo "$SAMPLE_COUNT" > sample-images/.complete
  fi
  rm -rf sample-output
  "$bin" run sample-images sample-output --size 256x256
  echo
  "$bin" bench sample-images --size 256x256 --repeat 1 --jobs-list 1,2
}

# Counts what the test programs report (each GTest case is one TAP line) and
# prints the one closing line CI reads. A program that crashed or timed out
# without saying "not ok" still counts as one failure.
summarise() {
  python3 - "$BUILD_DIR/meson-logs/testlog.json" <<'PY'
import json, re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout") or ""
    ok = len(re.findall(r"^ok \d+", out, re.M))
    skip = len(re.findall(r"^ok \d+.*# SKIP", out, re.M))
    bad = len(re.findall(r"^not ok \d+", out, re.M))
    if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and bad == 0:
        bad = 1
        print(f"test program {t['name']}: {t['result']}", file=sys.stderr)
    passed += ok - skip
    skipped += skip
    failed += bad
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
PY
}

test_suite() {
  deps
  build
  local rc=0
  meson test -C "$BUILD_DIR" --print-errorlogs ${MESON_TEST_ARGS:-} || rc=$?
  summarise || rc=1
  return $rc
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  demo) demo ;;
  test) test_suite ;;
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
