"""`Base.metadata` with every feature's tables loaded (for Alembic and tests)."""

from backoffice.db import Base
from backoffice.features import import_models

import_models()

__all__ = ["Base"]
