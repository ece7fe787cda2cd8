#!/usr/bin/env bash
# Compiles the Vietnamese catalog after messages.po changed, and lists any
# message in the code that still lacks a translation.
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements-dev.txt
.venv/bin/pybabel extract -F babel.cfg -k N_ -k _l -o /tmp/smart-province.pot app
.venv/bin/pybabel compile -d app/translations --statistics
