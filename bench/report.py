"""Wall time of the full PDF report for the reference's worked example, in Chinese and English, in one process.

The full report carries what the recommender really gives for the worked example from the shipped demo catalogue
(ten solutions, a roadmap of seventeen steps). Prints the median wall time (with its range, and the median CPU time,
which other load disturbs less) after warm-up for: building ReportData, rendering HTML, the whole PDF; the same
report with three hand-written recommendations, for comparison; and, as the baseline, WeasyPrint rendering a
one-page plain document in the same process, with the ratio between them. The load average is printed first: on a
busy machine the wall times grow, the CPU times and the ratio less so. Goal: full report at most 1.0 s.
Run: .venv/bin/python bench/report.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
import zlib
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from weasyprint import HTML

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.loader import load_library
from assessment.reporting.data import Recommendation, ReportData, RoadmapStep
from assessment.reporting.render import render_html, render_pdf
from assessment.services.language import translator
from assessment.services.recommendations import advice_document, recommendations, report_rows
from assessment.services.reports import build_report_data
from assessment.services.scoring import score_document

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "tests" / "fixtures" / "miit-2024-worked-example.json"
PROFILE = {"name": "苏州精工智造科技有限公司", "uscc": "91320594MA1XXXXX7K", "region": "江苏省苏州市",
           "industry": "汽车零部件及配件制造", "size_class": "small", "zjtx_status": "provincial"}
RECOMMENDATIONS = (
    Recommendation("mes-lite", "轻量化MES生产执行系统", "示例服务商甲", "8–15 万元", "6–10 周",
                   ("生产管控 三级→四级", "与质量管理、设备管理协同"), True),
    Recommendation("eam-cloud", "设备管理云平台", "示例服务商乙", "3–6 万元/年", "4–6 周", ("设备管理 二级→三级",), True),
    Recommendation("ehs-saas", "安全生产管理SaaS", "示例服务商丙", "2–4 万元/年", "3–5 周", ("安全生产 二级→三级",), True),
)
ROADMAP = (RoadmapStep("设备管理云平台", "3–6 万元", "4–6 周", "三级"),
           RoadmapStep("轻量化MES", "8–15 万元", "6–10 周", "三级"))
BASELINE_HTML = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>@page { size: A4 } '
                 'body { font-family: "Noto Sans CJK SC", sans-serif }</style></head><body>'
                 "<h1>中小企业数字化水平评测报告</h1><p>一页纯文本基准文档。A one-page plain baseline document.</p>"
                 "</body></html>")


def page_count(pdf: bytes) -> int:
    """Pages in a PDF whose objects sit in compressed object streams."""
    found = 0
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found += len(re.findall(rb"/Type\s*/Page[^s]", zlib.decompress(match.group(1))))
        except zlib.error:
            continue
    return found


def timed(run: Callable[[], object], runs: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Wall and CPU times of run() after `warmup` untimed calls."""
    for _ in range(warmup):
        run()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def show(label: str, times: tuple[list[float], list[float]]) -> float:
    """Print the wall-time median and range, and the CPU-time median (less disturbed by other load); return the
    wall-time median."""
    wall, cpu = times
    median = statistics.median(wall)
    print(f"{label:<40} median {median:6.3f} s   (min {min(wall):.3f}, max {max(wall):.3f}, n={len(wall)})"
          f"   cpu {statistics.median(cpu):6.3f} s")
    return median


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    lib = load_library(ROOT)
    q, m = lib.questionnaire("miit-2024"), lib.model("miit-2024")
    doc = json.loads(ANSWERS.read_text(encoding="utf-8"))
    answers, card = score_document(q, m, doc)
    catalogues, _errors = load_catalogue_dir(ROOT / "catalogue", {q.id: q})

    def build(lang: str, recs: Sequence[Recommendation], steps: Sequence[RoadmapStep]) -> ReportData:
        return build_report_data(q, m, answers, card, lang=lang, enterprise=PROFILE, date="2026-11-27",
                                 recommendations=recs, roadmap=steps, evidence=doc.get("evidence"))

    def report(lang: str, recs: Sequence[Recommendation], steps: Sequence[RoadmapStep]) -> bytes:
        return render_pdf(build(lang, recs, steps))

    print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
    baseline = show("baseline: one-page plain PDF", timed(lambda: HTML(string=BASELINE_HTML).write_pdf(), args.runs))
    for lang in ("zh", "en"):
        # what the recommender gives from the shipped demo catalogue, computed once: the report receives it
        recs, steps = report_rows(advice_document(recommendations(q, m, answers, catalogues), q, m, lang,
                                                  translator(lang)), translator(lang))
        show(f"[{lang}] build ReportData", timed(partial(build, lang, recs, steps), args.runs))
        show(f"[{lang}] render HTML", timed(partial(render_html, build(lang, recs, steps)), args.runs))
        full = show(f"[{lang}] full report: {len(recs)} solutions, {len(steps)} steps",
                    timed(partial(report, lang, recs, steps), args.runs))
        print(f"[{lang}] {'ratio to baseline':<35} {full / baseline:6.1f} x   goal ≤ 1.0 s: "
              f"{'met' if full <= 1.0 else 'NOT met'}   ({page_count(report(lang, recs, steps))} pages)")
        short = show(f"[{lang}] with 3 hand-written solutions", timed(partial(report, lang, RECOMMENDATIONS, ROADMAP),
                                                                      args.runs))
        print(f"[{lang}] {'ratio to baseline':<35} {short / baseline:6.1f} x   "
              f"({page_count(report(lang, RECOMMENDATIONS, ROADMAP))} pages)")


if __name__ == "__main__":
    main()
