"""The PDF downloaded from the results page carries the same recommendations as the page, filters included."""

from __future__ import annotations

import subprocess
from pathlib import Path

from journey import Journey
from test_recommendations_page import catalogues, expected, level_two_document, solutions_by_id  # noqa: F401

from assessment.domain.catalogue import Catalogue
from assessment.domain.recommend import RecommendOptions


def pdf_words(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_the_downloaded_report_lists_the_pages_recommendations(journey: Journey, catalogues: tuple[Catalogue, ...],  # noqa: F811
                                                               tmp_path: Path) -> None:
    assessment_id = journey.complete(level_two_document())
    ids = expected(journey, assessment_id, catalogues, RecommendOptions())
    text = pdf_words(journey.client.get(f"/results/{assessment_id}/report.pdf").data, tmp_path)
    entries = solutions_by_id(catalogues)
    assert ids
    for sid in ids:
        assert " ".join(entries[sid].name["zh"].split()) in text


def test_the_budget_filter_of_the_page_travels_to_the_report(journey: Journey, catalogues: tuple[Catalogue, ...],  # noqa: F811
                                                            tmp_path: Path) -> None:
    assessment_id = journey.complete(level_two_document())
    page = journey.client.get(f"/results/{assessment_id}?budget=30000").text
    assert f'href="/results/{assessment_id}/report.pdf?budget=30000"' in page
    text = pdf_words(journey.client.get(f"/results/{assessment_id}/report.pdf?budget=30000").data, tmp_path)
    entries = solutions_by_id(catalogues)
    within = expected(journey, assessment_id, catalogues, RecommendOptions(budget_cny=30000))
    dearer = [s for s in entries.values() if (s.price.max_cny or 0) > 30000 and s.id not in within]
    assert within and all(" ".join(entries[i].name["zh"].split()) in text for i in within)
    assert not any(" ".join(s.name["zh"].split()) in text for s in dearer)
