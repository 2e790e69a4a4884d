"""The EvidenceGate's lexicon from its configuration (``config.yml``) and its training words.

One function for the gate (``bot_plugins.evidence_gate``, in .venv-rasa) and its tests, so a new
configuration key is passed on in one place. Dependency-free, like ``bot_plugins.evidence``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot_plugins.evidence import Lexicon, build_lexicon


def lexicon_from_config(
    config: Mapping[str, Any],
    lookups: Mapping[str, Iterable[str]],
    regexes: Mapping[str, Iterable[str]],
) -> Lexicon:
    """The lexicon of the EvidenceGate's configuration (``config.yml``) and its training words.

    Args:
        config: The component's configuration (keys missing here are empty).
        lookups: Lookup table name → entries, from the training data.
        regexes: Training regex name → patterns; ``patterns`` maps a family to regex names.
    """
    intent_family = {
        intent: family
        for family, intents in config.get("families", {}).items()
        for intent in intents
    }
    patterns = {
        family: [p for name in names for p in regexes.get(name, [])]
        for family, names in config.get("patterns", {}).items()
    }
    return build_lexicon(
        lookups,
        intent_family,
        patterns,
        config.get("answer_intents", ()),
        config.get("context_answers"),
        config.get("words"),
        config.get("never_rescued", ()),
        config.get("small_talk_intents", ()),
        config.get("bot_address", ()),
        config.get("not_ours"),
    )
