"""Catalogue imports: seconds and peak extra memory for generated CSV and XLSX files, the goal being ≤ 10 s and
≤ 150 MB for a 10 MiB file of either kind (docs/catalogue-format.md, "Limits").

The cases (files generated once into a temporary folder, seeded):
  csv-10mib      valid entries up to 10 MiB (about 15,000 rows): refused at the row cap (1,000 entries)
  xlsx-10mib     valid entries with random Chinese text up to 10 MiB packed (about 13,000 rows), texts in the
                 shared strings table as Excel writes them: refused from the zip's directory (it unpacks to 29 MB)
  csv-cap        1,000 valid entries, the most one file may hold: imported
  xlsx-cap       the same as a workbook: imported
  xlsx-padded    the 1,000 entries with a declared sheet size of A1:XFD1048576: imported (the size is ignored)
  xlsx-strings   the 1,000 entries with a shared strings table just under the unpacked cap (15 MiB of distinct
                 strings no cell uses): the worst memory a file within the caps can cost
  xlsx-bomb      the 1,000 entries with 256 MiB of blanks in the sheet, packed into 0.4 MiB: refused from the
                 zip's directory
Each case runs in its own process: it migrates a throw-away SQLite database, makes a provider, loads the
questionnaires, then times `services.provider_catalogue.import_file` on the file (opened as a stream; the code
before issue 12 is given the file's bytes, as its web view read them). The peak extra memory is the process's
peak resident set (`ru_maxrss`) during the import minus its resident set just before it; a case whose peak stays
below the set-up's own peak prints "≤" that bound. With --tracemalloc each case of the code now runs once more
under tracemalloc and prints the peak of Python allocations too (slower; the seconds come from the first run).

--before [REV] runs every case also against the code of a git revision (default HEAD: `git archive REV assessment`
unpacked into a temporary folder, the working tree untouched), each limited to --timeout seconds and 2 GiB of
address space, so a runaway import ends as "killed" instead of taking the machine.

Run: .venv/bin/python bench/imports.py [--before [REV]] [--cases csv-10mib,xlsx-10mib] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
CASES = ("csv-10mib", "xlsx-10mib", "csv-cap", "xlsx-cap", "xlsx-padded", "xlsx-strings", "xlsx-bomb")
BASE = {
    "name_zh": "轻量MES", "name_en": "Light MES", "summary_zh": "车间报工与排产", "summary_en": "Shop-floor reporting",
    "provider_type": "product", "regions": "all", "deployment": "saas", "scenarios": "S06:0->2", "items": "",
    "industries": "C", "sizes": "medium;small;micro", "price_model": "per_year", "price_min_cny": "20000",
    "price_max_cny": "60000", "price_note_zh": "", "price_note_en": "", "weeks_min": "2", "weeks_max": "6",
    "requires": "", "effects_zh": "报工及时率提升", "effects_en": "Timelier shop-floor reports", "showcase_zh": "",
    "showcase_en": "", "listing_status": "provider_declared", "listing_source": "own list",
    "listing_date": "2026-01-15", "version": "1.0",
}
NAMES = ["id", *BASE]


def _entry(n: int, rng: random.Random, chinese: int) -> list[str]:
    text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(chinese)) if chinese else "车间报工与排产" * 12
    row = {**BASE, "id": f"e{n:06d}", "summary_zh": text}
    if chinese:
        row.update(showcase_zh=text[: chinese // 2], showcase_en="A plant in Jinan, 2025")
    return [row[k] for k in NAMES]


def write_csv(path: Path, limit: int, rows: int | None = None) -> None:
    """Valid entries as UTF-8 CSV with a BOM, up to `limit` bytes (or exactly `rows` entries)."""
    rng = random.Random(1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(NAMES)
    size, n = len(out.getvalue().encode()), 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(out.getvalue())
        while rows is None or n < rows:
            out.seek(0)
            out.truncate()
            writer.writerow(_entry(n, rng, 0))
            line = out.getvalue()
            size += len(line.encode())
            if rows is None and size > limit:
                break
            handle.write(line)
            n += 1


NUMBERS = ("price_min_cny", "price_max_cny", "weeks_min", "weeks_max")
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="entries" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>',
}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shared_workbook(path: Path, rows: list[list[str]], unused: int = 0) -> None:
    """A workbook as Excel writes one: every text once in the shared strings table, cells pointing at it (and
    `unused` bytes of further distinct strings no cell uses)."""
    from openpyxl.utils import get_column_letter

    strings: dict[str, int] = {}
    sheet = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(row, start=1):
            ref = f"{get_column_letter(index)}{number}"
            if number > 1 and NAMES[index - 1] in NUMBERS:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                cells.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
        sheet.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet.append("</sheetData></worksheet>")
    n = 0
    while unused > 0:
        text = f"unused string number {n:012d} of the bench"
        strings[text] = len(strings)
        unused -= len(text) + 16
        n += 1
    shared = "".join(f"<si><t>{_xml(text)}</t></si>" for text in strings)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in PARTS.items():
            archive.writestr(name, content)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
        archive.writestr("xl/sharedStrings.xml",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats'
                         f'.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>')


def write_xlsx(path: Path, limit: int, rows: int | None = None, chinese: int = 300) -> None:
    """Valid entries as a workbook with shared strings (random Chinese text, so it packs poorly), up to `limit`
    bytes (or exactly `rows` entries)."""
    count = rows if rows is not None else 200
    while True:
        rng = random.Random(2)
        _shared_workbook(path, [NAMES, *(_entry(n, rng, chinese) for n in range(count))])
        if rows is not None:
            return
        size = path.stat().st_size
        if limit * 0.97 < size <= limit:
            return
        count = max(1, int(count * (limit * 0.985) / size))


def pad_dimension(source: Path, target: Path, ref: str = "A1:XFD1048576") -> None:
    """The workbook with its first sheet declaring another size (a size openpyxl would otherwise pad rows to)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if "<dimension ref=\"" in text:
                    start = text.index("<dimension ref=\"") + len("<dimension ref=\"")
                    text = text[:start] + ref + text[text.index("\"", start):]
                else:
                    text = text.replace("<sheetData", f"<dimension ref=\"{ref}\"/><sheetData", 1)
                data = text.encode()
            new.writestr(info, data)


def write_bomb(source: Path, target: Path, padding: int = 256 * MIB) -> None:
    """A valid workbook whose sheet carries `padding` bytes of blanks (legal XML) that pack to almost nothing."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with new.open(info.filename, "w") as part:
                part.write(head + b"<sheetData>")
                for _ in range(padding // MIB):
                    part.write(b" " * MIB)
                part.write(tail)


def make_files(folder: Path, size: int) -> dict[str, Path]:
    """Every case's file, generated once."""
    files = {name: folder / f"{name}.{name.split('-')[0]}" for name in CASES}
    write_csv(files["csv-10mib"], size)
    write_xlsx(files["xlsx-10mib"], size)
    write_csv(files["csv-cap"], size, rows=1000)
    write_xlsx(files["xlsx-cap"], size, rows=1000, chinese=0)
    pad_dimension(files["xlsx-cap"], files["xlsx-padded"])
    _shared_workbook(files["xlsx-strings"], [NAMES, *(_entry(n, random.Random(3), 0) for n in range(1000))],
                     unused=15 * MIB)
    write_bomb(files["xlsx-cap"], files["xlsx-bomb"])
    return files


# --- one case, in its own process ----------------------------------------------------------------------------

def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(path: Path, traced: bool) -> None:
    """Import one file into a fresh database and print {"seconds", "extra", "bound", "outcome", ...} as JSON."""
    import ctypes
    import gc
    import inspect
    import tracemalloc

    from assessment.content.catalogue_sheets import CatalogueImportInvalid
    from assessment.content.loader import load_library
    from assessment.db import providers
    from assessment.db.engine import make_engine, session_factory
    from assessment.db.migrate import upgrade
    from assessment.services import provider_catalogue

    library = load_library(ROOT)
    questionnaire = library.questionnaire("miit-2024")
    folder = tempfile.mkdtemp(prefix="bench-imports-")
    engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
    upgrade(engine)
    sessions = session_factory(engine)
    streams = "stream" in inspect.signature(provider_catalogue.import_file).parameters
    with sessions() as session:
        organisation = providers.add_organisation(session, "服务商")
        member = providers.add_member(session, "bench@example.com", "x", role="provider_admin",
                                      organisation_id=organisation.id)
        session.commit()
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        before, high = _rss(), _maxrss()
        if traced:
            tracemalloc.start()
        began = time.perf_counter()
        try:
            if streams:
                with open(path, "rb") as handle:
                    count = provider_catalogue.import_file(session, organisation, {questionnaire.id: questionnaire},
                                                           questionnaire.id, path.name, handle, member.id)
            else:
                before_issue_12: Any = provider_catalogue.import_file  # it took the file's bytes
                count = before_issue_12(session, organisation, {questionnaire.id: questionnaire}, questionnaire.id,
                                        path.name, path.read_bytes(), member.id)
            session.commit()
            outcome = f"imported {count}"
        except CatalogueImportInvalid as exc:
            session.rollback()
            first = exc.errors[0]
            outcome = f"refused ({len(exc.errors)}): {str(first)[:90]}"
        seconds = time.perf_counter() - began
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
    peak = _maxrss()
    print(json.dumps({"seconds": seconds, "extra": peak - before, "bound": high - before if peak <= high else None,
                      "outcome": outcome, "traced": traced_peak}))


# --- the driver ----------------------------------------------------------------------------------------------

def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run(path: Path, code: Path | None, timeout: float, traced: bool) -> dict[str, object]:
    """One case in a subprocess (the code under `code` if given, else the working tree)."""
    env = {**os.environ, "PYTHONPATH": str(code or ROOT)}
    command = [sys.executable, __file__, "--child", str(path)] + (["--tracemalloc"] if traced else [])
    try:
        done = subprocess.run(command, env=env, cwd=code or ROOT, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit_memory, check=False)
    except subprocess.TimeoutExpired:
        return {"outcome": f"killed after {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"failed: {last[:90]}"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _megabytes(value: object) -> str:
    return f"{max(0, int(str(value))) / MIB:.0f}" if value is not None else "?"


def show(label: str, case: str, size: int, result: dict[str, object], traced: dict[str, object] | None) -> None:
    """Print one case's row of the table."""
    seconds = f"{float(str(result['seconds'])):.2f}" if "seconds" in result else "—"
    if "extra" in result:
        bound = result.get("bound")
        memory = f"≤ {_megabytes(bound)}" if bound is not None else _megabytes(result["extra"])
    else:
        memory = "—"
    python = _megabytes(traced.get("traced")) if traced and traced.get("traced") is not None else ""
    print(f"{label:<7} {case:<12} {size / MIB:>6.2f} {seconds:>8} {memory:>9} {python:>9}  {result['outcome']}")


def main() -> int:
    """Generate the files and run every case (or the child's one case)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--before", nargs="?", const="HEAD", default=None, help="also run the code of this revision")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--size-mib", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case and code (default 120)")
    parser.add_argument("--tracemalloc", action="store_true", help="also the peak of Python allocations")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.tracemalloc)
        return 0
    cases = [c for c in args.cases.split(",") if c]
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as scratch:
        folder = Path(scratch)
        files = make_files(folder, int(args.size_mib * MIB))
        codes: list[tuple[str, Path | None]] = [("now", None)]
        if args.before:
            old = folder / "before"
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "assessment"],
                                     capture_output=True, check=True).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(old, filter="data")
            codes.insert(0, (args.before[:7], old))
        print(f"{'code':<7} {'case':<12} {'MiB':>6} {'seconds':>8} {'extra MB':>9} {'python MB':>9}  outcome")
        for case in cases:
            for label, code in codes:
                result = run(files[case], code, args.timeout, False)
                traced = run(files[case], code, args.timeout * 3, True) \
                    if args.tracemalloc and code is None and "extra" in result else None
                show(label, case, files[case].stat().st_size, result, traced)
    print("goal: ≤ 10 s and ≤ 150 MB extra for each 10 MiB file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
