#!/usr/bin/env bash
# The demo: scan the bundled example organisation, build its audit packs for two quarters (2026-Q3
# from a git tag, 2026-Q4 from the working folder), verify, diff and trend them; outputs under OUT.
# Usage: examples/demo.sh VENV_BIN OUT
set -euo pipefail
bin=${1:-.venv/bin}
out=${2:-evidence/demo}
here=$(cd "$(dirname "$0")" && pwd)
org="$here/acme"
export NHI_EVIDENCE_NOW=${NHI_EVIDENCE_NOW:-2026-11-25T12:00:00Z}
mkdir -p "$out"
# Identity, governance and log evidence (README section "identity"): inventory, audit logs, saved GitHub API answers.
sources=(--inventory "$here/inventory.yaml" --audit-log "$here/audit-log.jsonl" --audit-log "$here/audit-log.csv"
  --github-export "$here/github-export")
# The workstation scan (--home, opt-in) adds a sample home folder's user-level and managed settings.
"$bin/nhi-evidence" scan "$org" --org "Acme Corp" --period 2026-Q4 "${sources[@]}" --home "$here/home"
"$bin/nhi-evidence" scan "$org" --org "Acme Corp" --period 2026-Q4 "${sources[@]}" --home "$here/home" --format json --output "$out/assessment.json"
# Git history: the example repositories hold no .git, so two small histories are built and scanned.
"$here/make-git-history.sh" "$out/git-history-repos"
"$bin/nhi-evidence" scan "$out/git-history-repos" --inventory "$here/inventory.yaml" --format json --output "$out/git-history.json"

# Audit packs for two quarters (README section "pack"). The organisation's releases live in git: a
# scratch repository gets the 2026-Q3 state tagged 2026-Q3, then today's state tagged 2026-Q4. One
# quarter earlier there was no cursor-agent-lab yet, the ci-bot workflow still held a read-only token,
# and mobile-app's Cursor could run any shell command (narrowed since); the Q3 pack was also built
# from the inventory alone, before the audit log and GitHub exports were added as evidence.
releases="$out/acme-releases"
rm -rf "$releases" && mkdir -p "$releases"
cp -R "$org" "$releases/acme"
rm -rf "$releases/acme/cursor-agent-lab"
sed 's/^  contents: write$/  contents: read/' "$org/ci-bot/.github/workflows/claude.yml" >"$releases/acme/ci-bot/.github/workflows/claude.yml"
sed 's/"Shell(npm test)", "Shell(git status)"/"Shell(**)"/' "$org/mobile-app/.cursor/cli.json" >"$releases/acme/mobile-app/.cursor/cli.json"
(
  cd "$releases"
  export GIT_CONFIG_NOSYSTEM=1 HOME="$PWD" GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@acme.example \
    GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@acme.example
  git init -q -b main .
  git add -A && GIT_AUTHOR_DATE=2026-09-30T12:00:00Z GIT_COMMITTER_DATE=2026-09-30T12:00:00Z git commit -q -m "2026-Q3"
  git tag 2026-Q3
  rm -rf acme && cp -R "$org" acme
  git add -A && GIT_AUTHOR_DATE=2026-12-31T12:00:00Z GIT_COMMITTER_DATE=2026-12-31T12:00:00Z git commit -q -m "2026-Q4"
  git tag 2026-Q4
)
packs="$out/packs"
mkdir -p "$packs"
key="$out/signing.pem"
[ -f "$key" ] || "$bin/nhi-evidence" keygen --out "$key"
NHI_EVIDENCE_NOW=2026-09-30T12:00:00Z "$bin/nhi-evidence" pack "$releases/acme" --ref 2026-Q3 --period 2026-Q3 \
  --org "Acme Corp" --out "$packs/2026-Q3" --archive --force --inventory "$here/inventory.yaml"
NHI_EVIDENCE_NOW=2026-12-31T12:00:00Z "$bin/nhi-evidence" pack "$org" --period 2026-Q4 --org "Acme Corp" \
  --out "$packs/2026-Q4" --previous "$packs/2026-Q3" --sign-key "$key" --archive --force "${sources[@]}"
"$bin/nhi-evidence" verify "$packs/2026-Q4.tar.gz" --key "$out/signing.pub.pem"
echo
"$bin/nhi-evidence" diff "$packs/2026-Q3" "$packs/2026-Q4" | head -n 40
"$bin/nhi-evidence" diff "$packs/2026-Q3" "$packs/2026-Q4" --format markdown --output "$out/diff-2026-Q3-2026-Q4.md"
"$bin/nhi-evidence" diff "$packs/2026-Q3" "$packs/2026-Q4" --format html --output "$out/diff-2026-Q3-2026-Q4.html"
# The same comparison straight from the two release tags, as a release pipeline would gate on it.
gate=0
"$bin/nhi-evidence" diff --git "$releases/acme" 2026-Q3 2026-Q4 --fail-on regression --severity high \
  --format json --output "$out/diff-git.json" || gate=$?
echo
"$bin/nhi-evidence" trend "$packs/2026-Q3" "$packs/2026-Q4"
"$bin/nhi-evidence" trend "$packs/2026-Q3" "$packs/2026-Q4" --format html --output "$out/trend.html"
echo
echo "Demo outputs:"
echo "  Audit packs: $packs/2026-Q3 and $packs/2026-Q4 (archives: $packs/2026-Q3.tar.gz, $packs/2026-Q4.tar.gz)"
echo "  PDF report (2026-Q4, with the diff in its executive summary): $packs/2026-Q4/report.pdf"
echo "  Diff: $out/diff-2026-Q3-2026-Q4.md, $out/diff-2026-Q3-2026-Q4.html; release gate (diff --git): exit $gate"
echo "  Coverage trend: $out/trend.html"
echo "  JSON assessment: $out/assessment.json"
echo "  Git history assessment: $out/git-history.json"
