"""Find the source files of a load: by contract file names in a folder, or from a mapping file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.sources.contract import ENTITIES, SOURCE_EXTENSIONS, Entity
from etl.sources.errors import SourceError
from etl.sources.mapping import FileMapping, load_mapping


@dataclass(frozen=True)
class SourceFile:
    path: Path
    entity: Entity
    mapping: FileMapping | None = None

    @property
    def label(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class SourcePlan:
    files: list[SourceFile]
    ignored: list[Path]             # files in the folder that are not a contract entity
    mapping_file: Path | None = None


def plan_from_folder(folder: Path) -> SourcePlan:
    if not folder.is_dir():
        raise SourceError(folder, "source folder not found")
    stems = {stem: entity for entity in ENTITIES.values() for stem in entity.file_stems}
    files, ignored, seen = [], [], {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        entity = stems.get(path.stem.lower())
        if entity is None or path.suffix.lower() not in SOURCE_EXTENSIONS:
            ignored.append(path)
            continue
        if entity.name in seen:
            raise SourceError(folder, f"two files for {entity.name}: {seen[entity.name].name} and {path.name}")
        seen[entity.name] = path
        files.append(SourceFile(path, entity))
    _require_customers(folder, files, ignored)
    return SourcePlan(files, ignored)


def plan_from_mapping(mapping_file: Path) -> SourcePlan:
    files = [SourceFile(m.path, m.entity, m) for m in load_mapping(mapping_file)]
    _require_customers(mapping_file, files)
    return SourcePlan(files, [], mapping_file)


def _require_customers(where: Path, files: list[SourceFile], ignored: list[Path] = ()) -> None:
    if not any(f.entity.name == "customers" for f in files):
        names = ", ".join(f"{stem}.json/.csv/.parquet" for stem in ENTITIES["customers"].file_stems)
        # e.g. customers.xlsx: the user did provide customers, in a type the ETL does not read
        unsupported = [p.name for p in ignored if p.stem.lower() in ENTITIES["customers"].file_stems]
        hint = (f"; {', '.join(unsupported)} is not a supported type (use {', '.join(SOURCE_EXTENSIONS)})"
                if unsupported else "")
        raise SourceError(where, f"no customers file ({names}): every other entity refers to customers{hint}")
