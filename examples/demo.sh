#!/usr/bin/env bash
# The demo: scan the bundled example organisation and write every output under OUT.
# Usage: examples/demo.sh VENV_BIN OUT
set -euo pipefail
bin=${1:-.venv/bin}
out=${2:-evidence/demo}
here=$(cd "$(dirname "$0")" && pwd)
org="$here/acme"
export NHI_EVIDENCE_NOW=${NHI_EVIDENCE_NOW:-2026-11-25T12:00:00Z}
mkdir -p "$out"
"$bin/nhi-evidence" scan "$org" --org "Acme Corp" --period 2026-Q4
"$bin/nhi-evidence" scan "$org" --org "Acme Corp" --period 2026-Q4 --format json --output "$out/assessment.json"
echo
echo "Demo outputs:"
echo "  JSON assessment: $out/assessment.json"
