"""The README's YAML examples, as a person copies them (shared by the tests).

``tests/test_readme.py`` checks that every block parses and that what it names
exists after a call; ``e2e/test_browser.py`` pastes the dashboard into HA's raw
configuration editor. Nothing here imports Home Assistant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re

from .harness import REPO

FENCE = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def yaml_blocks() -> list[str]:
    """Every ```yaml block of the README, verbatim."""
    return FENCE.findall((REPO / "README.md").read_text(encoding="utf-8"))


def readme_dashboard() -> str:
    """The whole dashboard (the block that starts with ``views:``)."""
    return next(block for block in yaml_blocks() if block.startswith("views:"))


@dataclass
class Names:
    """What the README's examples expect Home Assistant to have."""

    entities: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)
    recent_call_keys: set[str] = field(default_factory=set)
    event_keys: dict[str, set[str]] = field(default_factory=dict)
    statistics: set[str] = field(default_factory=set)


def names(blocks: list[str]) -> Names:
    """Entities, attributes, event data keys and statistic ids the blocks use."""
    found = Names()
    for block in blocks:
        found.entities |= set(re.findall(r"\b(?:sensor|event|todo)\.m8com_\w+", block))
        found.attributes |= set(re.findall(r"\battribute: (\w+)", block))
        found.attributes |= set(re.findall(r"state_attr\([^,]+, '(\w+)'\)", block))
        found.recent_call_keys |= set(re.findall(r"\bcall\.(\w+)", block))
        found.statistics |= set(re.findall(r"\bm8com:\w+", block))
        if event := re.search(r"event_type: (m8com_\w+)", block):
            keys = set(re.findall(r"trigger\.event\.data\.(\w+)", block))
            found.event_keys.setdefault(event.group(1), set()).update(keys)
    return found
