"""The dashboard's tabs, in display order. Each module has TAB_ID, LABEL, layout() and register(app, reader)."""

from __future__ import annotations

from types import ModuleType

from dashapp.tabs import customer, glossary, overview, product, retention, segmentation, sentiment, support, usage

TAB_MODULES: list[ModuleType] = [overview, sentiment, support, product, segmentation, customer, usage, retention,
                               glossary]
