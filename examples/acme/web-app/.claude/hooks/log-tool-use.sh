#!/bin/sh
# Appends each tool call Claude Code is about to make (JSON on stdin) to the team's audit log.
cat >> "${CLAUDE_AUDIT_LOG:-$HOME/.claude/audit.jsonl}"
echo >> "${CLAUDE_AUDIT_LOG:-$HOME/.claude/audit.jsonl}"
