"""Import spaCy without its command-line tools.

``import spacy`` runs ``from .cli.info import info``, which imports the whole
``spacy.cli`` package: typer, weasel, an HTTP client, rich and jinja2 templates
for project commands. foi-triage never uses them, and they cost about 0.4 s
of every cold start (a batch worker, an API process, the CLI), a fifth of the
2-second budget. Before spaCy is first imported, a small stand-in module takes
the place of ``spacy.cli.info``: its ``info`` imports the real one on first
call, so ``spacy.info()`` still works, and ``spacy.cli`` imported by anyone
later is the real package.
"""
from __future__ import annotations

import sys
import types

_NAME = "spacy.cli.info"


def _info(*args, **kwargs):
    """``spacy.info``: the real function, imported now that someone asks for it."""
    if getattr(sys.modules.get(_NAME), "_foi_triage_stand_in", False):
        del sys.modules[_NAME]
    from spacy.cli.info import info

    return info(*args, **kwargs)


def install() -> None:
    """Put the stand-in in place, unless spaCy (or its CLI) is already imported."""
    if "spacy" in sys.modules or _NAME in sys.modules:
        return
    stand_in = types.ModuleType(_NAME, "Stand-in for spacy.cli.info until spacy.info() is called.")
    stand_in.info = _info  # type: ignore[attr-defined]
    stand_in._foi_triage_stand_in = True  # type: ignore[attr-defined]
    sys.modules[_NAME] = stand_in
