"""The dashboard's tabs, in display order. Each module has TAB_ID, LABEL, layout() and register(app, reader)."""

from __future__ import annotations

from types import ModuleType

from dashapp.tabs import overview, product, retention, segmentation, sentiment, support

TAB_MODULES: list[ModuleType] = [overview, sentiment, support, product, segmentation, retention]
