"""Errors the ETL raises for input it cannot use at all (as opposed to bad rows, which are quarantined)."""

from __future__ import annotations


class SourceError(Exception):
    """A source file (or mapping file) that cannot be loaded: names the file and the problem."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
