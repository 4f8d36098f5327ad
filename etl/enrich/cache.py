"""Enrichment results cached by a hash of their inputs, so a re-load does not re-score unchanged text.

Each enricher (kind + version) has one Parquet file in the cache folder mapping a 64-bit hash of the
inputs (text, language, ...) to its outputs. Inputs are deduplicated before computing, so a text that
appears a thousand times is scored once. Bumping an enricher's version starts a fresh cache file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

HASH_COLUMN = "_input_hash"
_HASH_KEY = "customerinsight1"  # 16 bytes, fixed: hashes must be stable across runs and processes


def input_hashes(inputs: pd.DataFrame) -> pd.Series:
    """A stable 64-bit hash per row of the input columns (missing values hash alike)."""
    normalised = inputs.astype("string").fillna("\x00<NA>")
    return pd.util.hash_pandas_object(normalised, index=False, hash_key=_HASH_KEY).astype("uint64")


def cached_apply(
    cache_dir: Path | None,
    kind: str,
    version: str,
    inputs: pd.DataFrame,
    compute: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """Outputs of `compute` for every input row, aligned with `inputs`.

    compute receives the distinct input rows not in the cache (same columns as inputs) and returns a
    DataFrame of outputs with one row per input row, in order. cache_dir None disables persistence.
    """
    hashes = input_hashes(inputs)
    unique = inputs.assign(**{HASH_COLUMN: hashes.to_numpy()}).drop_duplicates(HASH_COLUMN)
    path = cache_dir / f"{kind}-v{version}.parquet" if cache_dir else None
    known = _read(path)
    missing = unique[~unique[HASH_COLUMN].isin(known[HASH_COLUMN])] if len(known) else unique
    # With nothing cached yet, compute even for zero inputs: it tells the output columns.
    if len(missing) or len(known.columns) == 1:
        outputs = compute(missing.drop(columns=[HASH_COLUMN]).reset_index(drop=True))
        if len(outputs) != len(missing):
            raise RuntimeError(f"enricher {kind} returned {len(outputs)} results for {len(missing)} inputs")
        fresh = outputs.reset_index(drop=True).assign(**{HASH_COLUMN: missing[HASH_COLUMN].to_numpy()})
        known = fresh if not len(known) else pd.concat([known, fresh], ignore_index=True)
        if path is not None and len(fresh):
            _write(path, known)
    result = pd.DataFrame({HASH_COLUMN: hashes.to_numpy()}).merge(known, on=HASH_COLUMN, how="left")
    return result.drop(columns=[HASH_COLUMN])


def _read(path: Path | None) -> pd.DataFrame:
    if path is None or not path.exists():
        return pd.DataFrame({HASH_COLUMN: pd.Series(dtype="uint64")})
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError):
        # A damaged cache is only a lost speed-up: start again rather than fail the load.
        return pd.DataFrame({HASH_COLUMN: pd.Series(dtype="uint64")})


def _write(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)
    except BaseException:  # a full disk: leave no half-written file to fill it further
        temporary.unlink(missing_ok=True)
        raise
