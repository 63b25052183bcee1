"""A provider's own solution catalogue (catalogue/1): entries kept as spreadsheet rows, edited one by one or
imported from CSV/XLSX, checked by exactly the rules of catalogue files, and offered to that provider's clients.

An import is read as a stream within the caps of `ImportLimits` and is all or nothing; a catalogue holds at most
`ImportLimits.rows` entries (config CATALOGUE_MAX_ENTRIES), however they were added."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import IO

from sqlalchemy.orm import Session

from assessment.content.catalogue_columns import columns, entry_id
from assessment.content.catalogue_io import CatalogueHeader, entry_cells, import_table
from assessment.content.catalogue_sheets import (
    DEFAULT_LIMITS,
    CatalogueImportInvalid,
    ImportLimits,
    ImportRefused,
    Table,
    display_name,
    read_spreadsheet,
)
from assessment.db import providers
from assessment.db.providers import OrganisationRecord, SolutionRow
from assessment.domain.answers import N_, Problem
from assessment.domain.catalogue import Catalogue
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.spreadsheet import neutralise_row
from assessment.services.authorization import Principal, owns_solution

LANGUAGES = ("zh", "en")
PROVIDER_COLUMNS = tuple(f"provider_name_{lang}" for lang in LANGUAGES)
FORM_COLUMNS = tuple(c for c in columns(LANGUAGES) if c not in PROVIDER_COLUMNS)
"""The columns a provider fills in; the provider name is always the organisation's (its provenance)."""


def catalogue_id(organisation: OrganisationRecord) -> str:
    """The catalogue id of a provider's entries."""
    return f"provider-{organisation.id}"


def _version(rows: Sequence[SolutionRow]) -> str:
    latest = max((r.updated_at for r in rows), default=datetime(2000, 1, 1))
    return latest.strftime("%Y%m%d%H%M%S")


def header(organisation: OrganisationRecord, questionnaire_id: str, version: str) -> CatalogueHeader:
    """The catalogue header of a provider's entries: named and published by the provider, never demo data."""
    name = {lang: organisation.name for lang in LANGUAGES}
    return CatalogueHeader(catalogue_id(organisation), version, questionnaire_id, LANGUAGES, name, False,
                           None, name, None)


def _with_provider(cells: Mapping[str, object], organisation: OrganisationRecord) -> dict[str, str]:
    row = {c: "" if cells.get(c) is None else str(cells.get(c)) for c in columns(LANGUAGES)}
    for column in PROVIDER_COLUMNS:
        row[column] = organisation.name
    return row


def _csv(rows: Sequence[Mapping[str, str]]) -> str:
    """Rows as CSV text for download: the import's columns, text cells neutralised."""
    names = columns(LANGUAGES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(neutralise_row(row.get(n, "") for n in names))
    return out.getvalue()


def _cells(catalogue: Catalogue) -> list[tuple[str, dict[str, str]]]:
    """(entry id, row) for every entry, as the exporter writes it (the stored form)."""
    return [(row["id"], row) for row in entry_cells(catalogue)]


def build(organisation: OrganisationRecord, rows: Sequence[Mapping[str, object]],
          questionnaires: Mapping[str, Questionnaire], questionnaire_id: str, version: str) -> Catalogue:
    """The provider's catalogue from rows; raises CatalogueImportInvalid naming row (header = 1), column and reason."""
    table = Table(columns(LANGUAGES), [(n, _with_provider(r, organisation)) for n, r in enumerate(rows, start=2)])
    return import_table(table, header(organisation, questionnaire_id, version), questionnaires,
                        file=f"{catalogue_id(organisation)}.csv")


def _too_many(count: int, limit: int) -> ImportRefused:
    return ImportRefused(Problem(None, "entries", N_(
        "The catalogue would hold {count} entries; at most {limit} are kept. Remove entries before adding more."),
        {"count": count, "limit": limit}))


def solutions(session: Session, organisation_id: int) -> list[SolutionRow]:
    """The provider's entries as stored."""
    return providers.solutions(session, organisation_id)


def own_solution(session: Session, who: Principal, solution_id: int) -> SolutionRow | None:
    """One of the principal's provider's own entries (asked at the door); None for anything else."""
    row = providers.get_solution(session, solution_id)
    if row is None or not owns_solution(who, row.organisation_id):
        return None
    return row


def delete_solution(session: Session, who: Principal, row: SolutionRow) -> None:
    """Remove one of the principal's provider's own entries."""
    providers.delete_solution(session, row.id, who.organisation_id or 0)


def catalogue_of(session: Session, organisation: OrganisationRecord, questionnaires: Mapping[str, Questionnaire],
                 questionnaire_id: str) -> Catalogue | None:
    """The provider's stored entries as a catalogue (None if it has none)."""
    rows = providers.solutions(session, organisation.id)
    if not rows:
        return None
    return build(organisation, [r.cells for r in rows], questionnaires, questionnaire_id, _version(rows))


def save_entry(session: Session, organisation: OrganisationRecord, questionnaires: Mapping[str, Questionnaire],
               questionnaire_id: str, cells: Mapping[str, str], user_id: int,
               solution_id: int | None = None, max_entries: int = DEFAULT_LIMITS.rows) -> None:
    """Add an entry, or change one of the provider's entries; raises CatalogueImportInvalid (nothing is stored).

    The whole catalogue is checked with the entry in place, so an id used twice is caught too; the errors of the
    edited entry carry row 2. A new entry beyond `max_entries` raises ImportRefused.
    """
    rows = providers.solutions(session, organisation.id)
    others = [r.cells for r in rows if r.id != solution_id]
    if solution_id is None and len(others) + 1 > max_entries:
        raise _too_many(len(others) + 1, max_entries)
    try:
        catalogue = build(organisation, [cells, *others], questionnaires, questionnaire_id, _version(rows))
    except CatalogueImportInvalid as exc:
        raise CatalogueImportInvalid([e for e in exc.errors if e.row in (0, 1, 2)] or exc.errors) from exc
    stored = dict(_cells(catalogue))
    entry_id = str(cells.get("id", "")).strip()
    if solution_id is not None:
        if not providers.rename_solution(session, solution_id, organisation.id, entry_id, stored[entry_id]):
            raise LookupError(solution_id)
    else:
        providers.put_solutions(session, organisation.id, [(entry_id, stored[entry_id])], user_id)


def _with_provider_columns(table: Table, organisation: OrganisationRecord) -> Table:
    """The table with the provider name columns added where missing and always the organisation's name."""
    found = list(table.columns)
    found += [c for c in PROVIDER_COLUMNS if c not in found]
    named = {c: organisation.name for c in PROVIDER_COLUMNS}
    return Table(found, [(number, {**cells, **named}) for number, cells in table.rows])


def import_file(session: Session, organisation: OrganisationRecord, questionnaires: Mapping[str, Questionnaire],
                questionnaire_id: str, filename: str, stream: IO[bytes], user_id: int,
                limits: ImportLimits = DEFAULT_LIMITS) -> int:
    """Import entries from a CSV or XLSX file (an entry with an existing id replaces it); how many were imported.

    The file is read as a stream within `limits` (ImportRefused names the file, row, column and cap). The provider
    name columns may be left out: they are always the organisation's. All or nothing: any problem raises
    CatalogueImportInvalid (row as the spreadsheet shows it, column, reason) and nothing is stored. The file's
    entries are checked once, together with the stored entries they do not replace (those carry row 0).
    """
    table = _with_provider_columns(read_spreadsheet(filename, stream, limits), organisation)
    rows = providers.solutions(session, organisation.id)
    ids = [entry_id(cells) for _number, cells in table.rows]
    replaced = set(ids)
    kept = [(0, _with_provider(r.cells, organisation)) for r in rows if r.entry_id not in replaced]
    if len(table.rows) + len(kept) > limits.rows:
        raise _too_many(len(table.rows) + len(kept), limits.rows)
    merged = Table(table.columns, [*table.rows, *kept])
    catalogue = import_table(merged, header(organisation, questionnaire_id, _version(rows)), questionnaires,
                             file=display_name(filename))
    stored = dict(_cells(catalogue))
    providers.put_solutions(session, organisation.id, [(i, stored[i]) for i in ids], user_id)
    return len(ids)


def limits_of(config: Mapping[str, object]) -> ImportLimits:
    """The import caps with the configured file size and number of entries (CATALOGUE_IMPORT_MAX_BYTES,
    CATALOGUE_MAX_ENTRIES); the other caps are fixed (docs/catalogue-format.md)."""
    default = DEFAULT_LIMITS
    return replace(default, file_bytes=int(str(config.get("CATALOGUE_IMPORT_MAX_BYTES", default.file_bytes))),
                   rows=int(str(config.get("CATALOGUE_MAX_ENTRIES", default.rows))))


def export(session: Session, organisation: OrganisationRecord) -> str:
    """The provider's entries as CSV text, the columns of the import (text cells neutralised, restored on import)."""
    return _csv([_with_provider(r.cells, organisation) for r in providers.solutions(session, organisation.id)])


def catalogues_for_enterprise(session: Session, enterprise_id: int | None,
                              questionnaires: Mapping[str, Questionnaire], questionnaire_id: str) -> list[Catalogue]:
    """The catalogues of every provider the enterprise is a client of, for its recommendations.

    A provider whose stored entries no longer pass the checks (say, the questionnaire changed) is left out.
    """
    if enterprise_id is None:
        return []
    found = []
    for organisation in providers.providers_of_enterprise(session, enterprise_id):
        try:
            catalogue = catalogue_of(session, organisation, questionnaires, questionnaire_id)
        except CatalogueImportInvalid:
            continue
        if catalogue is not None:
            found.append(catalogue)
    return found
