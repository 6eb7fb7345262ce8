#!/usr/bin/env bash
# scrapyd and scrapyd-client (PyPI, the [deploy] extra) into the project's .venv, when missing.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if ! .venv/bin/python -c "import scrapyd, scrapyd_client" 2>/dev/null; then
    .venv/bin/python -m pip install -q -e '.[deploy]' 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv/bin/python -c "import scrapyd, scrapyd_client"
