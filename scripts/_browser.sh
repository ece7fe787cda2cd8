# Sourced by scripts/test.sh: installs Debian's Chromium and chromedriver for the
# browser test (tests/browser) when it will run and they are missing. Without
# them the browser test skips and says why. SKIP_BROWSER_INSTALL=1 never installs.
browser_tests_selected() {
  local arg paths=0
  for arg in "$@"; do
    case "$arg" in
      tests/browser*|tests|tests/) return 0 ;;
      tests/*|*.py|*::*) paths=1 ;;
    esac
  done
  [ "$paths" = 0 ]
}

ensure_browser() {
  if [ "${SKIP_BROWSER_INSTALL:-}" = 1 ] || ! browser_tests_selected "$@"; then
    return 0
  fi
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return 0
  fi
  echo "installing Chromium and chromedriver for the browser test..." >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } >&2; then
    echo "could not install Chromium: the browser test will be skipped" >&2
  fi
}
