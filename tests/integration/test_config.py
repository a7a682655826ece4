"""Project configuration: discovery, validation with suggestions, command-line precedence, ``config show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.config import ConfigError, discover, effective, find_config, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scan_doc(scan, *args: str) -> dict[str, Any]:
    result = scan(*args, "--format", "json", "--quiet")
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('fail_onn = "high"\n', ["line 1", "unknown key 'fail_onn'", "did you mean 'fail_on'?"]),
        ("\n\nrotaton_days = 30\n", ["line 3", "unknown key 'rotaton_days'", "did you mean 'rotation_days'?"]),
        ('fail_on = "severe"\n', ["line 1", "'fail_on' must be one of info, low, medium, high, critical"]),
        ("rotation_days = 0\n", ["line 1", "'rotation_days' must be a whole number of at least 1"]),
        ("frameworks = 3\n", ["line 1", "'frameworks' must be a string or a list of strings"]),
        ("fail_on = \n", ["line 1", "invalid TOML"]),
        (
            '[[accepted_risks]]\nprobe = "bypassPermissionsDisabled"\nrepo = "api"\n',
            ["line 2", "unknown key 'repo'", "did you mean 'repository'?"],
        ),
        (
            '[[accepted_risks]]\nprobe = "bypassPermissionsDisabled"\nrepository = "api"\n'
            'justification = "j"\napproved_by = "a"\n',
            ["needs 'expires'"],
        ),
        (
            '[[accepted_risks]]\nprobe = "bypassPermissionsDisabled"\nrepository = "api"\n'
            'justification = "j"\napproved_by = "a"\nexpires = "next year"\n',
            ["'expires' must be a date written YYYY-MM-DD"],
        ),
        (
            '[[accepted_risks]]\nprobe = "bypassPermissionsDisabled"\njustification = "j"\n'
            'approved_by = "a"\nexpires = 2027-01-01\n',
            ["names no subject", "[[suppressed_probes]]"],
        ),
        (
            '[[accepted_risks]]\nprobe = "bypassPermissionDisabled"\nrepository = "api"\n'
            'justification = "j"\napproved_by = "a"\nexpires = 2027-01-01\n',
            ["line 2", "unknown probe 'bypassPermissionDisabled'", "did you mean 'bypassPermissionsDisabled'?"],
        ),
        (
            '[sources]\ninventroy = "x.yaml"\n',
            ["line 2", "unknown source option 'inventroy'", "did you mean 'inventory'?"],
        ),
    ],
)
def test_bad_configuration_is_a_usage_error_naming_file_line_and_fix(
    org: Path, scan, body: str, expected: list[str]
) -> None:
    config = write(org / ".nhi-evidence.toml", body)
    result = scan(str(org))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = result.output
    assert str(config) in message
    for part in expected:
        assert part in message, message


def test_pyproject_table_is_read_and_values_reach_the_scan(org: Path, scan) -> None:
    write(
        org / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.nhi-evidence]\norganization = "Acme"\nperiod = "2026-Q4"\n'
        'frameworks = ["owasp-nhi-top10-2025"]\nexclude = ["web"]\nrotation_days = 30\n'
        '\n[tool.nhi-evidence.sources]\ninventory = "../inventory.yaml"\n',
    )
    document = scan_doc(scan, str(org))
    assert document["assessment"]["metadata"]["organization"] == "Acme"
    assert document["assessment"]["metadata"]["period"] == "2026-Q4"
    assert [f["id"] for f in document["frameworks"]] == ["owasp-nhi-top10-2025"]
    assert document["assessment"]["scope"]["repositories"] == ["api"]
    assert any("excluded by the pattern 'web'" in s["reason"] for s in document["skips"])
    sources = document["assessment"]["scope"]["sources"]
    assert sources["rotation_days"] == 30
    assert Path(sources["inventory"]) == (org.parent / "inventory.yaml").resolve()
    assert any(s["kind"] == "inventory-identity" for s in document["subjects"])


def test_command_line_overrides_the_file(org: Path, scan) -> None:
    write(org / ".nhi-evidence.toml", 'frameworks = ["owasp-nhi-top10-2025"]\norganization = "FromFile"\n')
    document = scan_doc(scan, str(org), "--framework", "nist-csf-2.0", "--org", "FromCli")
    assert [f["id"] for f in document["frameworks"]] == ["nist-csf-2.0"]
    assert document["assessment"]["metadata"]["organization"] == "FromCli"


def test_fail_on_from_the_file_and_its_override(org: Path, scan) -> None:
    write(org / ".nhi-evidence.toml", 'fail_on = "high"\n')
    assert scan(str(org), "--quiet").exit_code == 1
    assert scan(str(org), "--quiet", "--fail-on", "critical").exit_code == 0
    assert scan(str(org), "--quiet", "--no-config").exit_code == 0


def test_explicit_config_file_and_missing_one(org: Path, tmp_path: Path, scan) -> None:
    config = write(tmp_path / "policy.toml", 'frameworks = ["owasp-agentic-top10-2026"]\n')
    document = scan_doc(scan, str(org), "--config", str(config))
    assert [f["id"] for f in document["frameworks"]] == ["owasp-agentic-top10-2026"]
    result = scan(str(org), "--config", str(tmp_path / "absent.toml"))
    assert result.exit_code == 2
    assert "absent.toml: no such file" in result.output


def test_exclude_on_the_command_line(org: Path, scan) -> None:
    document = scan_doc(scan, str(org), "--exclude", "a*")
    assert document["assessment"]["scope"]["repositories"] == ["web"]


def test_config_show_prints_values_and_their_origin(org: Path, run_cli) -> None:
    config = write(org / ".nhi-evidence.toml", 'fail_on = "medium"\nexclude = ["vendor/*"]\n')
    result = run_cli("config", "show", str(org))
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line and not line.startswith(" ")}
    assert "medium" in lines["fail_on"]
    assert f"[{config}]" in lines["fail_on"]
    assert '["vendor/*"]' in lines["exclude"]
    assert "[default]" in lines["frameworks"]
    shown = json.loads(run_cli("config", "show", str(org), "--format", "json").stdout)
    assert shown["settings"]["fail_on"] == {"value": "medium", "source": str(config)}
    assert shown["settings"]["jobs"] == {"value": 0, "source": "default"}


def test_config_show_reports_errors_without_traceback(org: Path, run_cli) -> None:
    write(org / ".nhi-evidence.toml", "periodd = 'x'\n")
    result = run_cli("config", "show", str(org))
    assert result.exit_code == 2
    assert "did you mean 'period'?" in result.output


def test_discovery_prefers_the_standalone_file_and_ignores_unrelated_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None
    write(tmp_path / "pyproject.toml", '[tool.nhi-evidence]\nperiod = "Q1"\n')
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / ".nhi-evidence.toml", 'period = "Q2"\n')
    assert find_config(tmp_path) == tmp_path / ".nhi-evidence.toml"
    assert discover(None, [tmp_path], disabled=True).file is None


def test_effective_settings_keep_provenance(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / ".nhi-evidence.toml", 'jobs = 2\n[sources]\ngithub_org = "acme"\n'))
    settings = effective(config, {"fail_on": "high"}, path_keys=())
    assert settings["jobs"].value == 2
    assert settings["jobs"].source == str(tmp_path / ".nhi-evidence.toml")
    assert settings["fail_on"].source == "command line"
    assert settings["period"].source == "default"
    assert settings["sources.github_org"].value == "acme"  # not a path: left as written


def test_pyproject_without_the_table_is_an_error_when_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no \[tool.nhi-evidence\] table"):
        load_config(write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n'))


def test_config_show_checks_source_options_and_resolves_their_paths(tmp_path: Path, run_cli) -> None:
    root = tmp_path / "root"
    write(root / ".nhi-evidence.toml", '[sources]\ninventory = "../inventory.yaml"\ngithub_org = "acme"\n')
    shown = json.loads(run_cli("config", "show", str(root), "--format", "json").stdout)
    assert shown["settings"]["sources.inventory"]["value"] == str(tmp_path / "inventory.yaml")
    assert shown["settings"]["sources.github_org"]["value"] == "acme"
    write(root / ".nhi-evidence.toml", '[sources]\nfmt = "json"\n')
    result = run_cli("config", "show", str(root))
    assert result.exit_code == 2
    assert "unknown source option 'fmt'" in result.output


def test_config_show_never_echoes_a_secret(tmp_path: Path, run_cli) -> None:
    write(
        tmp_path / ".nhi-evidence.toml",
        f'organization = "Acme {CANARIES["github-token"]}"\n[sources]\ngithub_org = "{CANARIES["slack-token"]}"\n',
    )
    for fmt in ("text", "json"):
        result = run_cli("config", "show", str(tmp_path), "--format", fmt)
        assert result.exit_code == 0, result.output
        assert canary_leaks(result.output) == [], fmt


def test_paths_from_the_file_when_no_path_is_given(org: Path, scan, monkeypatch: pytest.MonkeyPatch) -> None:
    write(org.parent / ".nhi-evidence.toml", 'paths = ["org"]\nexclude = ["api"]\n')
    monkeypatch.chdir(org.parent)
    result = scan("--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["assessment"]["scope"]["repositories"] == ["web"]
    # With no PATH and no configuration there is nothing to scan.
    assert scan("--no-config", "--quiet").exit_code == 2


def test_each_accepted_risk_records_its_own_line(tmp_path: Path) -> None:
    entry = (
        '[[accepted_risks]]\nprobe = "bypassPermissionsDisabled"\nrepository = "{repo}"\n'
        'justification = "j"\napproved_by = "a"\nexpires = 2027-01-01\n\n'
    )
    config = write(
        tmp_path / ".nhi-evidence.toml", 'period = "Q4"\n\n' + entry.format(repo="api") + entry.format(repo="web")
    )
    risks = load_config(config).accepted_risks
    assert [r.origin for r in risks] == [f"{config}: line 4", f"{config}: line 11"]
    pyproject = write(
        tmp_path / "pyproject.toml",
        '[tool.nhi-evidence]\nperiod = "Q4"\n\n'
        + entry.replace("[[accepted_risks]]", "[[tool.nhi-evidence.accepted_risks]]").format(repo="api"),
    )
    assert [r.origin for r in load_config(pyproject).accepted_risks] == [f"{pyproject}: line 5"]
