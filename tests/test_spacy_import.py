"""foi-triage imports spaCy without its command-line tools (a fifth of the cold start), and
``spacy.info()`` still works for anyone who calls it."""
import subprocess
import sys

import pytest


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_importing_triage_leaves_spacys_cli_packages_unimported():
    out = _run("import sys, triage; "
               "print(sorted(m for m in ('spacy.cli', 'typer', 'weasel') if m in sys.modules))")
    assert out == "[]"


def test_the_pipeline_still_works_after_the_lighter_import():
    out = _run("import triage; r = triage.Triage(store=None).triage('How many officers were dismissed in 2023?'); "
               "print(len(r.questions), r.dates[0].start)")
    assert out == "1 2023-01-01"


def test_spacy_info_imports_the_real_function_when_called():
    out = _run("import triage, spacy, sys; d = spacy.info(silent=True); "
               "print(sorted(d)[:1], 'spacy.cli' in sys.modules)")
    assert out == "['location'] True"


@pytest.mark.parametrize("first", ["import spacy", "import spacy.cli"])
def test_nothing_changes_when_spacy_was_imported_first(first):
    out = _run(f"{first}; import sys, triage; print(type(sys.modules['spacy.cli.info'].info).__name__, "
               "getattr(sys.modules['spacy.cli.info'], '_foi_triage_stand_in', False))")
    assert out == "function False"
