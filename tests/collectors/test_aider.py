"""The Aider collector: yes-always, auto-commits defaults, inline keys, corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_support import collect, corpus_files, only_subject, outcome_of, place, rendered, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors.aider import AiderCollector


def test_yes_always_and_inline_keys(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".aider.conf.yml": (
                f"openai-api-key: {CANARIES['openai-api-key']}\n"
                f"api-key:\n  - anthropic={CANARIES['anthropic-api-key']}\n"
                "set-env:\n  - OPENROUTER_API_KEY=Zq8vN2xR7tLm4KpW9sYb3HcJ6dFg1VuE\n"
                "yes-always: true\nread: [CONVENTIONS.md]\n"
            ),
            "CONVENTIONS.md": "x\n",
        },
    )
    out = collect(AiderCollector, tmp_path)
    facts = only_subject(out).facts
    assert facts["approval"]["auto_approve_all"] is True
    assert facts["shell"]["unrestricted"] is True
    assert facts["aider"]["auto_commits"] is True
    assert facts["aider"]["auto_commits_set"] is False
    assert sorted(s["detector"] for s in facts["secrets"]) == ["anthropic-api-key", "key-name", "openai-api-key"]
    assert facts["instructions"] == ["CONVENTIONS.md"]
    assert canary_leaks(rendered(out)) == []


def test_reviewed_configuration(tmp_path: Path) -> None:
    write(tmp_path, {".aider.conf.yml": "auto-commits: false\nyes-always: false\nopenai-api-key: ${OPENAI_KEY}\n"})
    facts = only_subject(collect(AiderCollector, tmp_path)).facts
    assert facts["aider"]["auto_commits"] is False
    assert facts["approval"]["auto_approve_all"] is False
    assert facts["secrets"] == []


def test_top_level_list_is_an_error_but_still_a_subject(tmp_path: Path) -> None:
    write(tmp_path, {".aider.conf.yml": "- a\n- b\n"})
    out = collect(AiderCollector, tmp_path)
    assert "expected a mapping" in out.errors[0].message


@pytest.mark.parametrize(("corpus_file", "original"), corpus_files("aider-conf"))
def test_corpus_file_is_collected(tmp_path: Path, corpus_file: str, original: str) -> None:
    assert outcome_of(collect(AiderCollector, place(tmp_path, corpus_file, original))) == "evidence"
