"""Finds the back-office features: every package under `backoffice/records/`.

A feature package may hold `models.py` (tables), `router.py` (a `router` APIRouter) and
`seed.py` (a `seed(session) -> str` function). Adding a feature touches no shared file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType

from fastapi import APIRouter
from sqlalchemy.orm import Session

import backoffice.records

Seeder = Callable[[Session], str]


def feature_names() -> list[str]:
    """Names of the feature packages, sorted (so seeding and routing order is stable)."""
    return sorted(
        info.name for info in pkgutil.iter_modules(backoffice.records.__path__) if info.ispkg
    )


def _modules(module: str) -> Iterator[ModuleType]:
    for name in feature_names():
        qualified = f"backoffice.records.{name}.{module}"
        try:
            yield importlib.import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name != qualified:
                raise


def import_models() -> None:
    """Import every feature's models, the staff and review tables: `Base.metadata` knows all."""
    importlib.import_module("backoffice.staff.models")
    importlib.import_module("backoffice.review.models")
    for _ in _modules("models"):
        pass


def routers() -> list[APIRouter]:
    """Every feature's `router`."""
    return [module.router for module in _modules("router")]


def seeders() -> list[Seeder]:
    """Every feature's `seed` function (districts first: other features refer to them)."""
    found = [module.seed for module in _modules("seed")]
    return sorted(
        found, key=lambda seeder: seeder.__module__ != "backoffice.records.districts.seed"
    )
