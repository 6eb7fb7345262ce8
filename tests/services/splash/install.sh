#!/usr/bin/env bash
# Install a real Splash 3.5 server (Debian's PyQt5 + a venv with pinned deps).
# Idempotent: when everything is already in place it returns in about a second.
#   env SPLASH_VENV  venv path (default /opt/bs-splash-venv, outside the repo)
# Needs root (apt-get) unless the Debian packages are already installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${SPLASH_VENV:-/opt/bs-splash-venv}
req=$here/requirements.txt
apt_pkgs=(python3-venv python3-pyqt5 python3-pyqt5.qtwebkit python3-pyqt5.qtwebengine fonts-dejavu-core)
stamp=$venv/.bs-splash-installed
want_stamp="$(sha256sum "$req" | cut -d' ' -f1) ${apt_pkgs[*]}"

die() { echo "splash install: ERROR: $*" >&2; exit 1; }
log() { echo "splash install: $*"; }

# 1. Debian packages (Splash's Qt/WebKit/WebEngine bindings are not on PyPI
#    in a form that works with Splash 3.5; Debian's PyQt5 5.15 does).
missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || die "need root to apt-get install: ${missing[*]}"
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null \
        || die "apt-get install ${apt_pkgs[*]} failed"
fi

# 2. The venv (must be Debian's /usr/bin/python3: it sees Debian's PyQt5).
check_venv() {
    "$venv/bin/python" -c 'import splash, qt5reactor, lupa.lua52, PyQt5.QtWebKit, PyQt5.QtWebEngineWidgets' 2>/dev/null
}
if [[ -f $stamp && $(cat "$stamp") == "$want_stamp" ]] && check_venv; then
    log "already installed in $venv"
    exit 0
fi
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 missing"
if [[ ! -x $venv/bin/python ]]; then
    log "creating venv $venv"
    /usr/bin/python3 -m venv --system-site-packages "$venv" || die "venv creation failed"
fi
log "pip install -r $req"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" 2> >(grep -v "^WARNING: Location 'file://" >&2) \
    || die "pip install failed"
check_venv || die "venv $venv cannot import splash/PyQt5 modules"
echo "$want_stamp" >"$stamp"
log "installed Splash $("$venv/bin/python" -c 'import splash; print(splash.__version__)') in $venv"
