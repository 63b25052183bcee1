"""Cell exports: one row per cell of a protected table broken down by the fields asked for, suppressed cells
included, written as CSV, JSON or XLSX piece by piece."""

from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from sqlalchemy.orm import Session

from assessment.db import facts as fact_table
from assessment.db.facts import DIMENSION_COLUMNS, FactQuery, GroupRow
from assessment.db.models import utcnow
from assessment.domain.answers import N_, Problem
from assessment.domain.disclosure import TOTAL, Category, CellTable, Policy, ProtectedTable, Row, protect_linked
from assessment.domain.enterprise import Industries, Regions
from assessment.domain.questionnaire import tr
from assessment.domain.spreadsheet import neutralise, neutralise_row
from assessment.services.aggregates.cells import BAND_EDGES, FIELD_COLUMNS, FIELDS, Labels, axis_for, band_label, scaled
from assessment.services.aggregates.facts import FactLayout
from assessment.services.aggregates.jurisdiction import NATIONAL, Jurisdiction, child_of
from assessment.services.aggregates.periods import Grain, period_label


class AggregateError(ValueError):
    """A request for aggregates that cannot be answered as asked; `problem` carries a translatable message."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None) -> None:
        self.problem = Problem(None, "aggregate", message, dict(params or {}))
        super().__init__(self.problem.render())


@dataclass(frozen=True)
class CellRequest:
    """A cell export: the fields to break down by, and which facts to count."""

    by: tuple[str, ...]
    model_id: str
    grain: Grain = "year"
    first: int | None = None
    last: int | None = None
    jurisdiction: Jurisdiction = NATIONAL
    filters: tuple[tuple[str, str | int], ...] = ()
    demo: bool | None = None
    shared_with: str | None = None
    zeros: bool = False


@dataclass
class CellExport:
    """The protected cells of one table, one row per cell, produced lazily; with its columns and metadata."""

    columns: tuple[str, ...]
    descriptions: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]
    meta: dict[str, Any]
    refusal: Problem | None = None
    protected: ProtectedTable | None = field(default=None, repr=False)
    """The protected table behind the rows, for audits and tests."""


def check_fields(by: Sequence[str]) -> tuple[str, ...]:
    """The --by fields, checked: known names, no repeats; raises AggregateError."""
    fields = tuple(f.strip() for f in by if f.strip())
    if not fields:
        raise AggregateError(N_("Give at least one field to break down by."))
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise AggregateError(N_("Unknown field {field}; choose from {fields}."),
                             {"field": unknown[0], "fields": ", ".join(FIELDS)})
    if len(set(fields)) != len(fields):
        raise AggregateError(N_("A field is named twice."))
    return fields


def _period_range(session: Session, request: CellRequest, by: tuple[str, ...],
                  layout: FactLayout) -> tuple[int | None, int | None]:
    """The first and last period counted: as asked, else every period with data (with period among the fields) or
    the latest; raises AggregateError for a range without the field period."""
    periods = fact_table.periods(session, layout.model_id, request.grain, request.jurisdiction.conditions())
    first = request.first if request.first is not None else (periods[0] if periods else None)
    last = request.last if request.last is not None else (periods[-1] if periods else None)
    if "period" not in by:
        if request.first is None and request.last is None:
            first = last  # the latest period with data
        if first != last:
            raise AggregateError(N_("A range of periods needs the field period among the fields: each enterprise is "
                                    "counted once per period, so periods cannot be added up."))
    return first, last


def _grouped(session: Session, request: CellRequest, by: tuple[str, ...], layout: FactLayout,
             periods: tuple[int | None, int | None]) -> list[GroupRow]:
    """The table's groups from the database: a count and sums per combination of the fields."""
    first, last = periods
    if first is None:
        return []
    keys = [("year" if request.grain == "year" else "quarter") if f == "period" else FIELD_COLUMNS[f] for f in by]
    equals = (*request.jurisdiction.conditions(), *request.filters)
    known = request.shared_with if request.shared_with and fact_table.has_shares(session, request.shared_with) else None
    query = FactQuery(layout.model_id, request.grain, first, last, equals, demo=request.demo, shared_with=known,
                      band_edges=BAND_EDGES)
    return fact_table.grouped(session, query, [keys], ("total", *DIMENSION_COLUMNS[:len(layout.dimensions)], "demo"))[0]


def _table(rows: list[GroupRow], by: tuple[str, ...], request: CellRequest, *, layout: FactLayout,
           regions: Regions, industries: Industries, max_groups: int | None) -> CellTable:
    """The cell table of the groups, categories named as the axes have them; raises AggregateError when there are
    more combinations than a download may protect."""
    scope = request.jurisdiction.code

    def classify(f: str, value: Any) -> Category:
        if f == "region":
            return child_of(regions, scope, str(value))
        if f == "band":
            return band_label(int(value))
        return cast(Category, value)

    keyed = [(r, tuple(classify(f, v) for f, v in zip(by, r.key, strict=True))) for r in rows]
    combinations = len({k for _, k in keyed})
    if max_groups is not None and combinations > max_groups:
        # Disclosure control must see the whole table before any cell is published, and its cost grows faster than
        # the table; a table this fine is also mostly suppressed. (docs/officials.md §4)
        raise AggregateError(N_("This breakdown has too many cells to protect in one download ({cells} combinations; "
                                "at most {limit}). Leave out a field or narrow the filter."),
                             {"cells": combinations, "limit": max_groups})
    section = next((str(v) for c, v in request.filters if c == "industry_section"), None)
    axes = tuple(axis_for(f, (k[n] for _, k in keyed), layout=layout, industries=industries, regions=regions,
                          scope=scope, section=section) for n, f in enumerate(by))
    stats = ("score", *(f"dimension:{d.id}" for d in layout.dimensions), "demo")
    kinds = ("milli", *("milli" for _ in layout.dimensions), "count")
    return CellTable.from_rows(axes, (Row(k, r.count, scaled(r.sums, kinds), r.known) for r, k in keyed), stats)


def _columns(by: tuple[str, ...], layout: FactLayout, labels: Labels) -> tuple[list[str], list[str]]:
    """The export's column names and their descriptions."""
    t = labels.translate
    columns: list[str] = []
    descriptions: list[str] = []
    for f in by:
        columns += [f, f"{f}_name"]
        descriptions += [t(N_("{field}: code (total for the margin, N+ for a level group)")).format(field=t(FIELDS[f])),
                         t(N_("{field}: name")).format(field=t(FIELDS[f]))]
    columns += ["count", "suppressed", "mean_score", *(f"mean_{d.id}" for d in layout.dimensions), "demo"]
    descriptions += [
        t(N_("Enterprises in the cell (one assessment per enterprise per period); empty where suppressed")),
        t(N_("true where the cell is suppressed by disclosure control (fewer than k enterprises, or hidden so that "
             "another cell cannot be derived)")),
        t(N_("Mean base score (0–100); empty where suppressed or empty")),
        *(t(N_("Mean score of the dimension {name}")).format(name=tr(d.name, labels.lang)) for d in layout.dimensions),
        t(N_("true where the cell includes generated demonstration data")),
    ]
    return columns, descriptions


def _meta(request: CellRequest, by: tuple[str, ...], layout: FactLayout, labels: Labels, policy: Policy, *,
          periods: tuple[int | None, int | None], demo: bool, protected: ProtectedTable) -> dict[str, Any]:
    """What the export says about itself: scope, period, filters, k, demo data, and how to read it."""
    t = labels.translate
    first, last = periods
    meta = {
        "title": t(N_("Digital maturity of SMEs: aggregate cells")),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "model": layout.model_id,
        "jurisdiction": {"code": request.jurisdiction.code, "name": request.jurisdiction.name},
        "period": {"grain": request.grain, "from": period_label(first, request.grain) if first else None,
                   "to": period_label(last, request.grain) if last else None},
        "filters": {c: v for c, v in request.filters},
        "by": list(by),
        "k": policy.k,
        "population_floor": policy.population_floor,
        "zeros": request.zeros,
        "demo": demo,
        "suppressed_cells": len(protected.suppressed),
        "note": t(N_("Only enterprises that consented to statistical use are counted. Suppressed cells are listed "
                     "with an empty count and suppressed=true; cells not listed count 0.")),
        "method": "docs/disclosure.md",
    }
    if protected.refusal is not None:
        meta["refusal"] = protected.refusal.render(t)
    return meta


def cell_export(session: Session, *, regions: Regions, industries: Industries, layout: FactLayout,
                request: CellRequest, policy: Policy, labels: Labels, max_groups: int | None = None) -> CellExport:
    """One row per cell of the table broken down by `request.by`, protected; suppressed cells are rows too."""
    by = check_fields(request.by)
    periods = _period_range(session, request, by, layout)
    rows = _grouped(session, request, by, layout, periods)
    table = _table(rows, by, request, layout=layout, regions=regions, industries=industries, max_groups=max_groups)
    protected = protect_linked([table], policy)[0]
    columns, descriptions = _columns(by, layout, labels)
    meta = _meta(request, by, layout, labels, policy, periods=periods, demo=any(r.sums[-1] for r in rows),
                 protected=protected)
    cells = _cell_rows(protected, by, layout, labels, request.grain, request.jurisdiction.code, request.zeros)
    return CellExport(tuple(columns), tuple(descriptions), cells, meta, protected.refusal, protected)


def _cell_rows(protected: ProtectedTable, by: tuple[str, ...], layout: FactLayout, labels: Labels, grain: Grain,
               scope: str | None, zeros: bool) -> Iterator[tuple[Any, ...]]:
    """The rows of the export, produced as they are written: codes and names, then count, suppressed and means."""
    width = len(layout.dimensions)
    names: dict[tuple[int, Any], str] = {}
    for cell in protected.cells(zeros=zeros):
        out: list[Any] = []
        for n, (f, value) in enumerate(zip(by, cell.key, strict=True)):
            name = names.get((n, value))
            if name is None:
                name = names[(n, value)] = labels.value(f, value, layout, grain, scope)
            out += ["total" if value is TOTAL else value, name]
        if cell.count is None:
            out += [None, True, None, *([None] * width), None]
        else:
            means = cell.means
            out += [cell.count, False, _rounded(means[0]), *(_rounded(m) for m in means[1:1 + width]),
                    None if means[-1] is None else means[-1] > 0]
        yield tuple(out)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --- writers: CSV, JSON and XLSX, produced piece by piece ------------------------------------------------------

def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _plain(value: Any) -> Any:
    """A cell as CSV writes it: true/false, empty for none, text neutralised (numbers stay numbers)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else neutralise(value)


def csv_chunks(export: CellExport, rows_per_chunk: int = 2000) -> Iterator[str]:
    """The export as CSV text (UTF-8 with a BOM, so spreadsheet programs read the Chinese names), in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow(neutralise_row(export.columns))
    for batch in _batches(export.rows, rows_per_chunk):
        writer.writerows([[_plain(v) for v in row] for row in batch])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(export: CellExport, rows_per_chunk: int = 2000) -> Iterator[str]:
    """The export as one JSON document {"meta", "columns", "rows": [{column: value}, …]}, in chunks."""
    head = {"meta": export.meta, "columns": [{"name": c, "description": d}
                                              for c, d in zip(export.columns, export.descriptions, strict=True)]}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    first = True
    columns = export.columns
    for batch in _batches(export.rows, rows_per_chunk):
        text = ",\n".join(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) for row in batch)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]}\n"


def write_xlsx(export: CellExport, labels: Labels, target: BinaryIO) -> None:
    """The export as an XLSX workbook: the cells, then a data dictionary (write-only, so memory stays flat).

    Text cells are neutralised; numbers stay numbers.
    """
    from openpyxl import Workbook

    t = labels.translate
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(t(N_("cells")))
    data.append(neutralise_row(export.columns))
    for row in export.rows:
        data.append(neutralise_row(row))
    dictionary = workbook.create_sheet(t(N_("data dictionary")))
    dictionary.append(neutralise_row([t(N_("column")), t(N_("meaning"))]))
    for column, description in zip(export.columns, export.descriptions, strict=True):
        dictionary.append(neutralise_row([column, description]))
    dictionary.append([])
    dictionary.append(neutralise_row([t(N_("about this table")), ""]))
    for key, value in export.meta.items():
        dictionary.append(neutralise_row(
            [key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value]))
    workbook.save(target)


def xlsx_chunks(export: CellExport, labels: Labels, size: int = 1 << 16) -> Iterator[bytes]:
    """The XLSX workbook's bytes in chunks, written to a temporary file first (a zip is finished at its end)."""
    with tempfile.TemporaryFile() as handle:
        write_xlsx(export, labels, handle)
        handle.seek(0)
        while chunk := handle.read(size):
            yield chunk
