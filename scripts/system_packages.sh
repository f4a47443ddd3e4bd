#!/usr/bin/env bash
# The system packages Chantiers & Parcours needs, in one list for `make test`, `make demo`,
# .ci/run and the Dockerfile. It checks them and installs the missing ones when it can (root,
# or sudo without a password); otherwise it stops at once with the one command to run.
#
#   scripts/system_packages.sh demo     WeasyPrint's libraries and a font (the PDFs)
#   scripts/system_packages.sh test     the same, Chromium for the browser tests, gettext
#   scripts/system_packages.sh ci       the same, make and the PostgreSQL client
#   scripts/system_packages.sh docker   the demo's, gettext to compile the catalogs
#
# WeasyPrint needs Pango ≥ 1.44 and HarfBuzz's subset library (without it every PDF warns, and
# the test suite turns warnings into errors): those are libraries, not Python packages.
set -euo pipefail

profile="${1:-test}"
pdf=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
case "$profile" in
  demo) packages=("${pdf[@]}") ;;
  docker) packages=("${pdf[@]}" gettext) ;;
  test) packages=("${pdf[@]}" gettext chromium) ;;
  ci) packages=("${pdf[@]}" gettext chromium make postgresql-client) ;;
  *) echo "usage: $0 demo|test|ci|docker" >&2; exit 2 ;;
esac
# Debian's Python needs python3-venv to create the virtual environment; other builds
# (python.org, pyenv, the Docker image) bring it.
python="${PYTHON:-python3}"
if ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=(python3-venv)
fi
# Browser tests run any Chromium named by CHROMIUM_PATH; Debian's package is the default.
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  packages=("${packages[@]/chromium/}")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian or Ubuntu: check the libraries themselves and say what to install.
  if "$python" - "$profile" <<'PY'; then exit 0; fi
import ctypes.util, os, shutil, sys
missing = [name for name in ("pango-1.0", "pangoft2-1.0", "harfbuzz-subset")
           if not ctypes.util.find_library(name)]
if sys.argv[1] in ("test", "ci") and not shutil.which(os.environ.get("CHROMIUM_PATH", "chromium")):
    missing.append("chromium")
sys.exit(1 if missing else 0)
PY
  cat >&2 <<'MSG'
This system is not Debian or Ubuntu: install Pango (≥ 1.44), HarfBuzz with its subset library,
the DejaVu fonts and gettext (brew install pango harfbuzz gettext; dnf install pango harfbuzz
gettext dejavu-sans-fonts), and for the tests Chromium, with CHROMIUM_PATH=/path/to/chromium
when it is not `chromium` on the PATH. Then run the command again.
MSG
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  [ -n "$package" ] || continue
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
