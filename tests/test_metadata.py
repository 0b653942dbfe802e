"""Manifest, HACS, translations, quality scale and brand files follow the rules.

These are the checks hassfest and HACS run on custom integrations, restated so
that breaking a key fails ``scripts/test`` here rather than at publication.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import (
    AwesomeVersion,
    AwesomeVersionStrategy,
    AwesomeVersionStrategyException,
)
from homeassistant.const import Platform
from homeassistant.util.yaml import load_yaml as ha_load_yaml
from PIL import Image
import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPONENT = ROOT / "custom_components" / "m8com"
IOT_CLASSES = {
    "assumed_state", "calculated", "cloud_polling", "cloud_push",
    "local_polling", "local_push",
}  # fmt: skip
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch",
    "country", "homeassistant", "hacs", "persistent_directory",
}  # fmt: skip
"""Keys of ``hacs.json`` per current HACS documentation (no ``render_readme``)."""
QUALITY_RULES = {
    # bronze
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency",
    "docs-actions", "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "entity-event-setup", "entity-unique-id",
    "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
    "unique-config-entry",
    # silver
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow",
    "test-coverage",
    # gold
    "devices", "diagnostics", "discovery-update-info", "discovery", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases",
    "dynamic-devices", "entity-category", "entity-device-class",
    "entity-disabled-by-default", "entity-translations", "exception-translations",
    "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    # platinum
    "async-dependency", "inject-websession", "strict-typing",
    # newer HA releases
    "docs-conditions", "docs-triggers",
}  # fmt: skip


def load_yaml(path: Path) -> Any:
    return ha_load_yaml(path)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


VERSION_STRATEGIES = [
    AwesomeVersionStrategy.CALVER,
    AwesomeVersionStrategy.SEMVER,
    AwesomeVersionStrategy.SIMPLEVER,
    AwesomeVersionStrategy.BUILDVER,
    AwesomeVersionStrategy.PEP440,
]


def valid_version(value: Any) -> bool:
    try:
        AwesomeVersion(str(value), ensure_strategy=VERSION_STRATEGIES)
    except AwesomeVersionStrategyException:
        return False
    return True


def valid_owners(owners: Any) -> bool:
    return bool(owners) and all(re.fullmatch(r"@[\w-]+(/[\w-]+)?", o) for o in owners)


MANIFEST_RULES: dict[str, Any] = {
    "domain": lambda v: v == "m8com",
    "version": valid_version,
    "documentation": lambda v: str(v).startswith("https://"),
    "issue_tracker": lambda v: str(v).startswith("https://"),
    "codeowners": valid_owners,
    "iot_class": lambda v: v in IOT_CLASSES,
    "config_flow": lambda v: v is True,
}


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    """hassfest's manifest rules for a custom integration."""
    keys = list(manifest)
    problems = [key for key, ok in MANIFEST_RULES.items() if not ok(manifest.get(key))]
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("keys must be domain, name, then alphabetical")
    return problems


def hacs_problems(hacs: dict[str, Any], oldest: str) -> list[str]:
    """The HACS schema: known keys, a name, and the oldest HA we test."""
    problems = [f"unknown key {key}" for key in hacs if key not in HACS_KEYS]
    if not isinstance(hacs.get("name"), str) or not hacs["name"]:
        problems.append("name")
    if hacs.get("homeassistant") != oldest:
        problems.append(f"homeassistant must be {oldest}")
    return problems


def oldest_tested() -> str:
    """``2025.4.0`` from requirements_test.txt's "HA 2025.4.x" header."""
    header = (ROOT / "requirements_test.txt").read_text().splitlines()[0]
    match = re.search(r"Home Assistant: (\d{4})\.(\d+)\.\d+", header)
    assert match, header
    return f"{match[1]}.{match[2]}.0"


def test_manifest() -> None:
    assert manifest_problems(load(COMPONENT / "manifest.json")) == []


def imported_integrations() -> set[str]:
    """``homeassistant.components.X`` the integration imports (hassfest's rule)."""
    found: set[str] = set()
    for path in COMPONENT.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names]
                if isinstance(node, ast.ImportFrom) and node.module
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[:2] == ["homeassistant", "components"] and len(parts) > 2:
                    found.add(parts[2])
    return found


def test_every_imported_integration_is_declared() -> None:
    manifest = load(COMPONENT / "manifest.json")
    declared = {*manifest["dependencies"], *manifest.get("after_dependencies", [])}
    # hassfest lets any integration use entity platforms and these helpers.
    allowed = {platform.value for platform in Platform} | {
        "diagnostics",
        "logbook",
        "repairs",
        "llm",  # the platform HA 2026 asks for Assist tools (llm.py)
    }
    assert imported_integrations() - declared - allowed == set()


def test_requirements_cover_third_party_imports() -> None:
    manifest = load(COMPONENT / "manifest.json")
    wanted = {re.split(r"[<>=~]", r)[0] for r in manifest["requirements"]}
    third_party = {"phonenumbers", "pydantic"}  # what HA itself does not ship
    assert wanted == third_party


def test_hacs() -> None:
    assert oldest_tested() == "2025.4.0"
    assert hacs_problems(load(ROOT / "hacs.json"), oldest_tested()) == []


def keys(tree: Any, prefix: str = "") -> set[str]:
    if not isinstance(tree, dict):
        return {prefix}
    return {k for key, value in tree.items() for k in keys(value, f"{prefix}/{key}")}


def test_swedish_has_exactly_the_english_keys() -> None:
    en = load(COMPONENT / "translations" / "en.json")
    sv = load(COMPONENT / "translations" / "sv.json")
    assert keys(sv) == keys(en)
    broken = json.loads(json.dumps(sv))
    del broken["config"]["error"]
    assert keys(broken) != keys(en)


def test_placeholders_match_between_languages() -> None:
    en = load(COMPONENT / "translations" / "en.json")
    sv = load(COMPONENT / "translations" / "sv.json")

    def placeholders(tree: Any, path: str = "") -> dict[str, set[str]]:
        if isinstance(tree, str):
            return {path: set(re.findall(r"\{(\w+)\}", tree))}
        return {
            k: v
            for key, value in tree.items()
            for k, v in placeholders(value, f"{path}/{key}").items()
        }

    assert placeholders(sv) == placeholders(en)


def test_services_are_documented_and_translated() -> None:
    services = load_yaml(COMPONENT / "services.yaml")
    en = load(COMPONENT / "translations" / "en.json")["services"]
    icons = load(COMPONENT / "icons.json")["services"]
    assert set(services) == set(en) == set(icons)
    for name, spec in services.items():
        assert set(spec["fields"]) == set(en[name]["fields"])


def test_quality_scale_lists_every_rule() -> None:
    rules = load_yaml(COMPONENT / "quality_scale.yaml")["rules"]
    assert set(rules) == QUALITY_RULES
    for rule, value in rules.items():
        if isinstance(value, dict):
            assert value["status"] == "exempt", rule
            assert value["comment"].strip(), rule
        else:
            assert value == "done", rule


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_brand_images(name: str, size: int) -> None:
    with Image.open(COMPONENT / "brand" / name) as image:
        assert image.size == (size, size)
        assert image.format == "PNG"


def workflow(name: str) -> dict[Any, Any]:
    """A GitHub workflow, parsed (``on`` is YAML 1.1's True)."""
    data = ha_load_yaml(ROOT / ".github" / "workflows" / name)
    assert isinstance(data, dict)
    return data


def steps(flow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def test_workflows_run_both_targets_and_both_validators() -> None:
    validate = workflow("validate.yml")
    uses = [step.get("uses", "") for step in steps(validate)]
    assert any(u.startswith("home-assistant/actions/hassfest@") for u in uses)
    hacs = [s for s in steps(validate) if s.get("uses", "").startswith("hacs/action@")]
    assert [s["with"]["category"] for s in hacs] == ["integration"]
    tests = workflow("tests.yml")
    matrix = tests["jobs"]["test"]["strategy"]["matrix"]["include"]
    assert {(m["python"], m["args"]) for m in matrix} == {
        ("3.13", ""),
        ("3.14", "--latest"),
    }
    assert any("scripts/test" in s.get("run", "") for s in steps(tests))
    for flow in (validate, tests, workflow("release.yml")):
        assert flow["permissions"] == {}
        for step in steps(flow):
            if "uses" in step:  # pinned to a full commit, not a moving tag
                assert re.fullmatch(r"[^@]+@[0-9a-f]{40}", step["uses"]), step


def test_release_zip_matches_hacs_json() -> None:
    hacs = load(ROOT / "hacs.json")
    release = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert hacs["zip_release"] is True
    assert f"zip -r ../../{hacs['filename']}" in release
    assert f'gh release upload "$TAG" {hacs["filename"]}' in release


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icon.png", (256, 256)),
        ("icon@2x.png", (512, 512)),
        ("dark_icon.png", (256, 256)),
        ("dark_icon@2x.png", (512, 512)),
        ("logo.png", None),
        ("logo@2x.png", None),
        ("dark_logo.png", None),
        ("dark_logo@2x.png", None),
    ],
)
def test_brand_set_is_complete(name: str, size: tuple[int, int] | None) -> None:
    with Image.open(COMPONENT / "brand" / name) as image:
        if size is not None:
            assert image.size == size
        else:  # logos: up to 256 px high, 512 for @2x
            assert image.height <= (512 if "@2x" in name else 256)
