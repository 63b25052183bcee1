"""The layering of ARCHITECTURE.md holds: the domain core imports no framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shipped import ROOT

FORBIDDEN = ("flask", "sqlalchemy", "wtforms", "jinja2", "weasyprint", "yaml")


def test_the_domain_imports_no_flask_or_sqlalchemy() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import assessment.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__):\n"
        "    if m.name != 'recommend':\n"
        "        importlib.import_module('assessment.domain.' + m.name)\n"
        f"print(','.join(sorted(n for n in {FORBIDDEN!r} if n in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_import_contracts_hold() -> None:
    script = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(script), "--no-cache"], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: " in done.stdout and " broken" not in done.stdout.replace("0 broken", "")
