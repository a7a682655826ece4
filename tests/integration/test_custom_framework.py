"""Custom frameworks through ``--mappings``: every output handles them, and bad files get clear messages."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from nhi_test_support import EXAMPLES

from nhi_evidence.frameworks.catalog import CatalogError, load_frameworks
from nhi_evidence.frameworks.mapping import load_mappings
from nhi_evidence.probes import probe_definitions
from nhi_evidence.renderers import OutputFormat

EXAMPLE = EXAMPLES / "custom-framework"
FRAMEWORK_ID = "iso-27001-2022-annex-a-subset"


def test_example_loads_and_links_only_known_probes_and_controls() -> None:
    frameworks = load_frameworks([EXAMPLE])
    custom = next(f for f in frameworks if f.id == FRAMEWORK_ID)
    assert [c.id for c in custom.controls][:2] == ["A.5.9", "A.5.16"]
    mapping = load_mappings(frameworks, probe_definitions().keys(), [EXAMPLE])
    links = [link for link in mapping.links if link.framework == FRAMEWORK_ID]
    assert links
    assert all(link.rationale for link in links)
    # Every control of the example is evidenced by at least one probe.
    assert {link.control_id for link in links} == {c.id for c in custom.controls}


def _output_text(fmt: OutputFormat, path: Path) -> str:
    """Text of a rendered output: a file, or every file of a folder; PDF through its text layer."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    parts: list[str] = []
    for file in files:
        data = file.read_bytes()
        if data.startswith(b"%PDF"):
            from pypdf import PdfReader

            parts.append("\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))
        else:
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_every_output_format_handles_an_added_framework(org: Path, tmp_path: Path, scan, fmt: OutputFormat) -> None:
    target = tmp_path / f"out-{fmt.value}"
    result = scan(
        str(org),
        "--mappings",
        str(EXAMPLE),
        "--framework",
        FRAMEWORK_ID,
        "--format",
        fmt.value,
        "--output",
        str(target),
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    text = _output_text(fmt, target)
    # The custom control evidenced by the failing Claude Code settings appears in every detailed output
    # (the terminal summary lists frameworks, not controls)...
    if fmt is not OutputFormat.TEXT:
        assert "A.8.2" in text, fmt.value
    # ...and so does the framework, by id or by its title.
    assert FRAMEWORK_ID in text or "ISO/IEC 27001:2022" in " ".join(text.split()), fmt.value


def test_json_contract_reports_the_custom_controls(org: Path, scan) -> None:
    result = scan(str(org), "--mappings", str(EXAMPLE), "--format", "json", "--quiet")
    document = json.loads(result.stdout)
    assert FRAMEWORK_ID in [f["id"] for f in document["frameworks"]]
    privileged = next(
        r for r in document["control_results"] if (r["framework"], r["control_id"]) == (FRAMEWORK_ID, "A.8.2")
    )
    assert privileged["status"] == "not-satisfied"
    assert privileged["title"] == "Privileged access rights"
    assert set(privileged["probes"]) == {"bypassPermissionsDisabled", "noBlanketShellAllow"}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the example to break."""
    folder = tmp_path / "mappings"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_unknown_probe_names_file_line_and_probe(broken: Path, org: Path, scan) -> None:
    links = broken / "links" / "iso-27001-2022-annex-a-subset.yaml"
    _replace(links, "probe: credentialNotShared", "probe: credentialNeverShared")
    result = scan(str(org), "--mappings", str(broken))
    assert result.exit_code == 2
    assert (
        f"{links}: line {_line_of(links, 'credentialNeverShared')}: unknown probe 'credentialNeverShared'"
        in result.output
    )
    assert "Traceback" not in result.output


def test_duplicate_control_id_names_file_and_line(broken: Path, org: Path, scan) -> None:
    catalog = broken / "frameworks" / "iso-27001-2022-annex-a-subset.yaml"
    _replace(catalog, "  - id: A.8.5\n", "  - id: A.8.2\n")
    result = scan(str(org), "--mappings", str(broken))
    assert result.exit_code == 2
    lines = [n for n, line in enumerate(catalog.read_text().splitlines(), 1) if line.strip() == "- id: A.8.2"]
    assert f"{catalog}: line {lines[0]}: duplicate control id 'A.8.2'" in result.output


def test_malformed_yaml_names_file_and_line(broken: Path, org: Path, scan) -> None:
    catalog = broken / "frameworks" / "iso-27001-2022-annex-a-subset.yaml"
    _replace(catalog, "    title: Logging\n", "    title: [Logging\n")
    result = scan(str(org), "--mappings", str(broken))
    assert result.exit_code == 2
    assert f"{catalog}: line " in result.output
    assert "invalid YAML" in result.output


def test_link_to_unknown_control_is_an_error(broken: Path) -> None:
    links = broken / "links" / "iso-27001-2022-annex-a-subset.yaml"
    _replace(links, "id: A.8.15,", "id: A.8.16,")
    with pytest.raises(CatalogError, match=r"line \d+: control 'A.8.16' is not in framework"):
        load_mappings(load_frameworks([broken]), probe_definitions().keys(), [broken])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("controls:\n", "controls: 5\nold_controls:\n", "'controls' and 'groups' must be lists"),
        ("  - {id: A.5, title: Organizational controls}\n", "  - Organizational\n", "group #1 needs at least 'id'"),
        ("    title: Logging\n", "", "control #7 needs at least 'id' and 'title'"),
    ],
)
def test_malformed_catalog_structure_is_reported_without_traceback(
    broken: Path, old: str, new: str, message: str
) -> None:
    catalog = broken / "frameworks" / "iso-27001-2022-annex-a-subset.yaml"
    _replace(catalog, old, new)
    with pytest.raises(CatalogError, match=message):
        load_frameworks([broken])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_diff_reports_changes_of_an_added_framework(org: Path, tmp_path: Path, scan, run_cli, fmt: str) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert scan(str(org), "--mappings", str(EXAMPLE), "--format", "json", "-o", str(old), "--quiet").exit_code == 0
    # Fix the api repository: its privileged-access failures disappear.
    (org / "api" / ".claude" / "settings.json").write_text('{"permissions": {"deny": ["Read(./.env)"]}}\n')
    (org / "web").rename(tmp_path / "web-moved")
    assert scan(str(org), "--mappings", str(EXAMPLE), "--format", "json", "-o", str(new), "--quiet").exit_code == 0
    result = run_cli("diff", str(old), str(new), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert FRAMEWORK_ID in result.stdout
    assert "A.8.2" in result.stdout
