"""The dashboard's tabs, in display order. Each module has TAB_ID, LABEL, layout() and register(app, reader)."""

from __future__ import annotations

from types import ModuleType

from dashapp.tabs import overview, product, sentiment, support

TAB_MODULES: list[ModuleType] = [overview, sentiment, support, product]
