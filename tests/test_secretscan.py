"""Secret detection: each pattern's positive and negative case, references, key names, flags, embedded
JSON, and the behaviour measured on the real corpus (false positives and redacted values)."""

from __future__ import annotations

import csv

import pytest
from nhi_test_support import CANARIES, SHARED, canary_leaks

from nhi_evidence.parsing import PARSERS
from nhi_evidence.secretscan import PATTERNS, find_secrets, fingerprint, is_reference, is_secret_key, redact_document

#: A synthetic, prefix-less, high-entropy value (not a credential of any service).
RANDOM = "Zq8vN2xR7tLm4KpW9sYb3HcJ6dFg1VuE"

#: detector -> (a value it must find, a look-alike it must not find).
CASES: dict[str, tuple[str, str]] = {
    "github-fine-grained-pat": ("github_pat_11ABCDEFG0" + "a1B2c3D4e5" * 6, "github_pat_short"),
    "github-token": ("ghp_" + "a1B2c3D4e5" * 4, "ghp_tooShort123"),
    "anthropic-api-key": ("sk-ant-api03-" + "a1B2c3D4e5" * 3, "sk-ant-short"),
    "openrouter-api-key": ("sk-or-v1-" + "0123456789abcdef" * 4, "sk-or-v1-xyz"),
    "openai-api-key": ("sk-proj-" + "a1B2c3D4e5" * 3, "disk-usage-analyzer-server-mcp-tool"),
    "aws-access-key-id": ("AKIA" + "ABCDEFGHIJ234567", "AKIAEXAMPLE"),
    "slack-token": ("xoxb-123456789012-abcdefABCDEF", "xoxb-short"),
    "slack-webhook": (
        "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "https://hooks.slack.com/",
    ),
    "google-api-key": ("AIza" + "a1B2c3D4e5" * 3 + "a1B2c", "AIzaShort"),
    "google-oauth-token": ("ya29." + "a1B2c3D4e5" * 3, "ya29.short"),
    "gitlab-token": ("glpat-" + "a1B2c3D4e5" * 2, "glpat-short"),
    "npm-token": ("npm_" + "a1B2c3D4e5" * 3 + "a1B2c3", "npm_install_script"),
    "huggingface-token": ("hf_" + "a1B2c3D4e5" * 3, "hf_hub_download"),
    "stripe-secret-key": ("sk_live_" + "a1B2c3D4e5" * 2, "sk_test_short"),
    "supabase-token": ("sbp_" + "0123456789abcdef0123456789abcdef01234567", "sbp_short"),
    "neon-api-key": ("napi_" + "0123456789abcdefghij" * 3, "napi_short"),
    "figma-token": ("figd_" + "a1B2c3D4e5" * 3 + "xy", "figd_short"),
    "perplexity-api-key": ("pplx-" + "a1B2c3D4e5" * 4, "pplx-short"),
    "groq-api-key": ("gsk_" + "a1B2c3D4e5" * 4 + "a1B2c3D4e5", "gsk_short"),
    "xai-api-key": ("xai-" + "a1B2c3D4e5" * 7, "xai-grok-model"),
    "tavily-api-key": ("tvly-dev-" + "a1B2c3D4e5" * 3, "tvly-docs"),
    "sendgrid-api-key": ("SG." + "a1B2c3D4e5a1B2c3D4" + "." + "a1B2c3D4e5a1B2c3D4", "SG.x"),
    "digitalocean-token": ("dop_v1_" + "0123456789abcdef" * 4, "dop_v1_short"),
    "sentry-token": ("sntrys_" + "a1B2c3D4e5" * 5, "sntrys_short"),
    "databricks-token": ("dapi" + "0123456789abcdef" * 2, "dapi-client"),
    "atlassian-api-token": ("ATATT3" + "a1B2c3D4e5" * 6, "ATATT3short"),
    "postman-api-key": (
        "PMAK-" + "0123456789abcdef01234567" + "-" + "0123456789abcdef0123456789abcdef01",
        "PMAK-short",
    ),
    "shopify-token": ("shpat_" + "0123456789abcdef" * 2, "shpat_short"),
    "notion-token": ("ntn_" + "a1B2c3D4e5" * 5, "ntn_short"),
    "linear-api-key": ("lin_api_" + "a1B2c3D4e5" * 4, "lin_api_docs"),
    "private-key": ("-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----"),
    "jwt": (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJ.eyJ.x",
    ),
    "url-credentials": ("postgres://app:s3cretPassw0rd@db.internal:5432/app", "postgres://db.internal:5432/app"),
    "bearer-token": ("Bearer " + RANDOM, "Bearer ${GITHUB_TOKEN}"),
    "basic-auth": ("Basic dXNlcjpwYXNzd29yZDEyMzQ1Ng==", "Basic auth is required"),
}


def test_every_detector_has_a_case() -> None:
    assert sorted(CASES) == sorted(name for name, _ in PATTERNS)


@pytest.mark.parametrize("detector", sorted(CASES))
def test_pattern_positive_and_negative(detector: str) -> None:
    positive, negative = CASES[detector]
    assert detector in [d for d, _, _ in find_secrets(positive)]
    assert find_secrets(negative) == []


@pytest.mark.parametrize(
    "value",
    [
        "${GITHUB_TOKEN}",
        "${OPENAI_API_KEY:-}",
        "${VAR:-default-value-123}",
        "$OPENAI_API_KEY",
        "${input:github-token}",
        "${env:ANTHROPIC_API_KEY}",
        "${workspaceFolder}",
        "${{ secrets.OPENAI_API_KEY }}",
        "%API_KEY%",
        "{{ api_key }}",
        "op://vault/item/credential",
        "Bearer ${GITHUB_PAT}",
        "GITHUB_PERSONAL_ACCESS_TOKEN",
        "<your-api-key>",
        "your_api_key_here",
        "sk-helios-demo-key-000",
        "REDACTED-BY-CORPUS",
    ],
)
def test_references_and_placeholders_are_not_secrets(value: str) -> None:
    assert find_secrets(value, "API_KEY") == []


def test_key_name_rule() -> None:
    assert [d for d, _, _ in find_secrets(RANDOM, "OBSIDIAN_API_KEY")] == ["key-name"]
    assert [d for d, _, _ in find_secrets(RANDOM, "perplexityApiKey")] == ["key-name"]
    assert find_secrets(RANDOM, "MODEL_NAME") == []
    assert not is_secret_key("bearer_token_env_var")
    assert not is_secret_key("apiKeyHelper")
    assert is_secret_key("X-Goog-Api-Key")
    assert is_secret_key("--access-token")


def test_flags_assignments_and_embedded_json_in_args() -> None:
    doc = {
        "args": [
            "--access-token",
            RANDOM,
            "--figma-api-key=" + RANDOM,
            "--config",
            '"{\\"perplexityApiKey\\":\\"' + RANDOM + '\\"}"',
            "OPENAI_API_KEY=" + RANDOM,
            "--verbose",
            "plain-value-not-secret",
        ]
    }
    redacted, hits = redact_document(doc)
    assert [h.pointer for h in hits] == ["/args/1", "/args/2", "/args/4", "/args/5"]
    assert RANDOM not in str(redacted)
    assert redacted["args"][7] == "plain-value-not-secret"


def test_fingerprint_keeps_a_short_prefix_only() -> None:
    token = CANARIES["github-token"]
    assert fingerprint(token).startswith("ghp_...")
    assert token[4:] not in fingerprint(token)
    assert is_reference("${X}")
    assert not is_reference(token)


def test_canaries_are_found_and_redacted_in_every_structure() -> None:
    doc = {
        "env": {name.upper(): value for name, value in CANARIES.items()},
        "headers": {"Authorization": "Bearer " + CANARIES["bearer-token"]},
        "args": ["--token", CANARIES["github-token"], "https://u:" + CANARIES["openai-api-key"] + "@h.example/x"],
    }
    redacted, hits = redact_document(doc)
    assert canary_leaks(str(redacted)) == []
    assert len(hits) == len(CANARIES) + 3


# -- measured on the corpus ------------------------------------------------------------------------

CORPUS = SHARED / "corpus"


def _corpus_documents() -> list[tuple[str, bytes, str]]:
    with (CORPUS / "PROVENANCE.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = []
    for row in rows:
        path = row["path"]
        fmt = (
            "toml"
            if path.endswith(".toml")
            else "yaml"
            if path.endswith((".yml", ".yaml"))
            else ("jsonc" if path.endswith(".json") else "text")
        )
        out.append((row["file"], (CORPUS / row["file"]).read_bytes(), fmt))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, bytes, str]]:
    assert CORPUS.is_dir(), f"corpus not found at {CORPUS}"
    return _corpus_documents()


def test_corpus_false_positives_are_pinned(corpus: list[tuple[str, bytes, str]]) -> None:
    """Measured: 152 files, one hit (a default database password in a connection URL, kept by the
    corpus as not live but a credential literal all the same); no reference or placeholder is flagged."""
    hits = []
    for name, raw, fmt in corpus:
        _, found = redact_document(PARSERS[fmt](raw))
        hits.extend((name.split("/")[0], h.detector, h.pointer) for h in found)
    assert hits == [("gemini-settings", "url-credentials", "/mcpServers/postgres/args/2")]


def test_corpus_redacted_values_would_be_found(corpus: list[tuple[str, bytes, str]]) -> None:
    """Every value the corpus replaced with REDACTED-BY-CORPUS was a live credential. Put a random,
    prefix-less value back in its place: the key-name, flag and embedded-JSON rules find 14 of the 15
    (the 15th is a positional argument whose real value carries the ``napi_`` prefix)."""
    total = found = 0
    for _, raw, fmt in corpus:
        count = raw.count(b"REDACTED-BY-CORPUS")
        if not count:
            continue
        total += count
        _, before = redact_document(PARSERS[fmt](raw))
        _, after = redact_document(PARSERS[fmt](raw.replace(b"REDACTED-BY-CORPUS", RANDOM.encode())))
        found += len(after) - len(before)
    assert (total, found) == (15, 14)


def test_corpus_redaction_placeholders_are_not_flagged(corpus: list[tuple[str, bytes, str]]) -> None:
    for _, raw, fmt in corpus:
        _, found = redact_document(PARSERS[fmt](raw))
        assert all(h.fingerprint != fingerprint("REDACTED-BY-CORPUS") for h in found)
