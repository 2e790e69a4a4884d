"""Where the review inbox writes: `REVIEW_NLU_DIR` (default nlu_data/), the knowledge folder.

The knowledge folder is the one the assistant reads (`KNOWLEDGE_DIR`, core settings). Tests and
the browser test point both at temporary copies.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings import PROJECT_ROOT


class ReviewSettings(BaseSettings):
    """`REVIEW_NLU_DIR`, `REVIEW_DAYS`.

    Attributes:
        nlu_dir: The NLU training data an added example is written to.
        days: How many days back the inbox looks.
    """

    model_config = SettingsConfigDict(
        env_prefix="REVIEW_", env_file=PROJECT_ROOT / ".env", extra="ignore"
    )

    nlu_dir: Path = PROJECT_ROOT / "nlu_data"
    days: int = 30


@lru_cache(maxsize=1)
def get_review_settings() -> ReviewSettings:
    """This process's review settings (read once)."""
    return ReviewSettings()
