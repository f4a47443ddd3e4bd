#!/usr/bin/env bash
# The system packages Chantiers & Parcours needs, in one list for `make demo`, `make test`,
# `make lint`, .ci/run and the Dockerfile. It checks them and installs the missing ones when it
# can (root, or sudo without a password); otherwise it stops at once with the command to run.
#
#   scripts/system_packages.sh demo     WeasyPrint's libraries and a font (every PDF)
#   scripts/system_packages.sh test     the same and Chromium, for the browser tests
#   scripts/system_packages.sh lint     gettext, for the translation catalogs
#   scripts/system_packages.sh ci       all of them, make and the PostgreSQL client
#   scripts/system_packages.sh docker   the demo's and gettext, to compile the catalogs
#
# WeasyPrint needs Pango ≥ 1.44 and HarfBuzz's subset library (without it every PDF warns, and
# the test suite turns warnings into errors): those are libraries, not Python packages.
# Written for Debian 12; elsewhere it checks the libraries and says what to install.
set -euo pipefail

profile="${1:-test}"
pdf=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
case "$profile" in
  demo) packages=("${pdf[@]}") ;;
  test) packages=("${pdf[@]}" chromium) ;;
  lint) packages=(gettext) ;;
  ci) packages=("${pdf[@]}" chromium gettext make postgresql-client) ;;
  docker) packages=("${pdf[@]}" gettext) ;;
  *) echo "usage: $0 demo|test|lint|ci|docker" >&2; exit 2 ;;
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
  # Not Debian: check the libraries and programs themselves, and say which are missing.
  if missing=$("$python" - "$profile" <<'PY'
import ctypes.util, os, shutil, sys
profile = sys.argv[1]
missing = []
if profile != "lint":
    missing += [name for name in ("pango-1.0", "pangoft2-1.0", "harfbuzz-subset")
                if not ctypes.util.find_library(name)]
if profile in ("test", "ci") and not (os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")):
    missing.append("chromium")
if profile in ("lint", "ci", "docker") and not shutil.which("msgfmt"):
    missing.append("gettext")
print(" ".join(missing))
PY
  ) && [ -z "$missing" ]; then exit 0; fi
  cat >&2 <<MSG
Missing: ${missing:-a Python to check with}. This system is not Debian: install Pango (≥ 1.44),
HarfBuzz with its subset library, the DejaVu fonts, gettext (brew install pango harfbuzz
gettext; dnf install pango harfbuzz gettext dejavu-sans-fonts) and, for the browser tests,
Chromium, with CHROMIUM_PATH=/path/to/chromium when it is not \`chromium\` on the PATH.
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

apt=(apt-get -o DPkg::Lock::Timeout=300)  # a fresh machine may be upgrading itself at boot
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "(or, as root without sudo: su -c 'apt-get update && apt-get install -y ${missing[*]}')" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
"${sudo[@]}" "${apt[@]}" update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
