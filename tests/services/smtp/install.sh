#!/usr/bin/env bash
# aiosmtpd (PyPI, in the [test] extra) for the local SMTP server of tests/test_spidermon.py, when missing.
set -euo pipefail
cd "$(dirname "$0")/../../.."
.venv/bin/python -c "import aiosmtpd" 2>/dev/null || .venv/bin/python -m pip install -q 'aiosmtpd>=1.4'
