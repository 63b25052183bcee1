"""A provider's own solution catalogue (catalogue/1): entries kept as spreadsheet rows, edited one by one or
imported from CSV/XLSX, checked by exactly the rules of catalogue files, and offered to that provider's clients."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from assessment.content.catalogue_io import (
    ENTRIES_SHEET,
    CatalogueHeader,
    CatalogueImportInvalid,
    RowError,
    columns,
    entries_workbook,
    export_csv,
    import_csv,
)
from assessment.db import providers
from assessment.db.providers import OrganisationRecord, SolutionRow
from assessment.domain.catalogue import Catalogue
from assessment.domain.questionnaire import Questionnaire

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
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(LANGUAGES), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _cells(catalogue: Catalogue) -> list[tuple[str, dict[str, str]]]:
    """(entry id, row) for every entry, as the exporter writes it (the stored form)."""
    reader = csv.DictReader(io.StringIO(export_csv(catalogue), newline=""))
    return [(row["id"], dict(row)) for row in reader]


def build(organisation: OrganisationRecord, rows: Sequence[Mapping[str, object]],
          questionnaires: Mapping[str, Questionnaire], questionnaire_id: str, version: str) -> Catalogue:
    """The provider's catalogue from rows; raises CatalogueImportInvalid naming row (header = 1), column and reason."""
    text = _csv([_with_provider(r, organisation) for r in rows])
    return import_csv(text, header(organisation, questionnaire_id, version), questionnaires,
                      file=f"{catalogue_id(organisation)}.csv")


def catalogue_of(session: Session, organisation: OrganisationRecord, questionnaires: Mapping[str, Questionnaire],
                 questionnaire_id: str) -> Catalogue | None:
    """The provider's stored entries as a catalogue (None if it has none)."""
    rows = providers.solutions(session, organisation.id)
    if not rows:
        return None
    return build(organisation, [r.cells for r in rows], questionnaires, questionnaire_id, _version(rows))


def save_entry(session: Session, organisation: OrganisationRecord, questionnaires: Mapping[str, Questionnaire],
               questionnaire_id: str, cells: Mapping[str, str], user_id: int,
               solution_id: int | None = None) -> None:
    """Add an entry, or change one of the provider's entries; raises CatalogueImportInvalid (nothing is stored).

    The whole catalogue is checked with the entry in place, so an id used twice is caught too; the errors of the
    edited entry carry row 2.
    """
    rows = providers.solutions(session, organisation.id)
    others = [r.cells for r in rows if r.id != solution_id]
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


def _table_text(table: Sequence[Sequence[object]], organisation: OrganisationRecord) -> str:
    """A spreadsheet table as CSV text with the provider's name filled in; blank rows stay, so row numbers hold."""
    if not table:
        return ""
    header = [_cell(c) for c in table[0]]
    while header and not header[-1]:
        header.pop()
    positions = []
    for column in PROVIDER_COLUMNS:
        if column not in header:
            header.append(column)
        positions.append(header.index(column))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for raw in table[1:]:
        row = [_cell(c) for c in raw][: len(header)]
        row += [""] * (len(header) - len(row))
        if any(cell.strip() for cell in row):
            for position in positions:
                row[position] = organisation.name
        writer.writerow(row)
    return out.getvalue()


def _cell(value: object) -> str:
    """A spreadsheet cell as the importer reads it: dates as ISO dates, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_table(data: bytes) -> list[list[object]]:
    with entries_workbook(data) as book:
        return [list(values) for values in book[ENTRIES_SHEET].iter_rows(values_only=True)]


def import_file(session: Session, organisation: OrganisationRecord, questionnaires: Mapping[str, Questionnaire],
                questionnaire_id: str, filename: str, data: bytes, user_id: int) -> int:
    """Import entries from a CSV or XLSX file (an entry with an existing id replaces it); how many were imported.

    The provider name columns may be left out: they are always the organisation's. All or nothing: any problem
    raises CatalogueImportInvalid (row as the spreadsheet shows it, column, reason) and nothing is stored.
    """
    rows = providers.solutions(session, organisation.id)
    file_header = header(organisation, questionnaire_id, _version(rows))
    if filename.lower().endswith(".xlsx"):
        table = _xlsx_table(data)
    elif filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CatalogueImportInvalid([RowError(0, "", "the file is not UTF-8 text", "")]) from exc
        table = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    else:
        raise CatalogueImportInvalid([RowError(0, "", "only .csv and .xlsx files can be imported", "")])
    imported = import_csv(_table_text(table, organisation), file_header, questionnaires, file=filename)
    new = _cells(imported)
    replaced = {entry_id for entry_id, _cells_ in new}
    merged = [dict(cells) for _id, cells in new] + [dict(r.cells) for r in rows if r.entry_id not in replaced]
    catalogue = build(organisation, merged, questionnaires, questionnaire_id, _version(rows))
    stored = dict(_cells(catalogue))
    providers.put_solutions(session, organisation.id, [(entry_id, stored[entry_id]) for entry_id, _ in new], user_id)
    return len(new)


def export(session: Session, organisation: OrganisationRecord) -> str:
    """The provider's entries as CSV text, the columns of the import."""
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
