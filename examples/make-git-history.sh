#!/usr/bin/env bash
# Build two small git repositories with assistant commits, for the git history part of the demo.
# (A repository cannot ship nested .git folders, so the demo builds them; fixed dates keep hashes stable.)
# Usage: examples/make-git-history.sh DIR
set -euo pipefail
dir=${1:?usage: make-git-history.sh DIR}
rm -rf "$dir" && mkdir -p "$dir"
export GIT_CONFIG_NOSYSTEM=1 HOME="$dir" GIT_AUTHOR_DATE=2026-11-02T10:00:00Z GIT_COMMITTER_DATE=2026-11-02T10:00:00Z
human() { GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@acme.example GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@acme.example "$@"; }
bot() { GIT_AUTHOR_NAME='claude[bot]' GIT_AUTHOR_EMAIL='209825114+claude[bot]@users.noreply.github.com' \
        GIT_COMMITTER_NAME="${COMMITTER_NAME:-claude[bot]}" GIT_COMMITTER_EMAIL="${COMMITTER_EMAIL:-209825114+claude[bot]@users.noreply.github.com}" "$@"; }
change() { echo "$2" >> "$1/notes.txt"; git -C "$1" add notes.txt; }
for repo in reviewed-service agent-sandbox; do
  git init -q -b main "$dir/$repo"
  change "$dir/$repo" init; human git -C "$dir/$repo" commit -q -m "Initial commit"
  # OK: a pull request by the assistant, squash-merged by GitHub.
  change "$dir/$repo" parser; COMMITTER_NAME=GitHub COMMITTER_EMAIL=noreply@github.com bot git -C "$dir/$repo" commit -q -m "Add input parser (#41)"
  # A human commit co-authored with Claude Code (counted, not judged).
  change "$dir/$repo" docs; human git -C "$dir/$repo" commit -q -m "Document the parser" -m "Co-authored-by: Claude <noreply@anthropic.com>"
done
# NOT OK: the assistant pushed straight to main.
change "$dir/agent-sandbox" hotfix; bot git -C "$dir/agent-sandbox" commit -q -m "Hotfix: bump timeout"
