#!/usr/bin/env bash
# The servers and programs of the monitoring tests (report, scrapyd, SMTP): installed when missing.
# Called once from .ci/run; each test starts what it needs on a free port and stops it by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/services/chromium/install.sh
bash tests/services/scrapyd/install.sh
bash tests/services/smtp/install.sh
