from __future__ import annotations

import pytest

from appstate import AppStore


@pytest.fixture
def store(tmp_path):
    """A new app-state database: a real SQLite file, migrated to the current schema."""
    instance = AppStore(f"sqlite:///{tmp_path / 'app.db'}")
    yield instance
    instance.close()
