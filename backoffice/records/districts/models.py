"""The city's districts and counties."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base


class District(Base):
    """A district (区) or county (县 / 县级市) of the city."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    short_name: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))
    assistance_tier: Mapped[str] = mapped_column(String(32))
