#!/usr/bin/env bash
# Mutation testing by hand (not in CI): tests/mutation/run.sh [council|parsers|upsert|store|http ...]
# See tests/mutation/run.py and README.md, "Mutation testing".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec "${PYTHON:-.venv/bin/python}" tests/mutation/run.py "$@"
