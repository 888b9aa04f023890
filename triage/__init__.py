"""foi-triage: the first read of a Freedom of Information request, in milliseconds."""

__version__ = "0.1.0"

from ._spacy_import import install as _install_spacy_import  # noqa: E402

_install_spacy_import()  # before anything imports spaCy: see _spacy_import.py

__all__ = ["InputError", "Triage", "__version__"]


def __getattr__(name: str):
    # ``Triage`` and ``InputError`` load the pipeline (spaCy) on first use, not when the package is
    # imported: the processes that never triage (the batch writer feeding its workers, the log and
    # feedback commands) then start without it
    if name in ("Triage", "InputError"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'triage' has no attribute {name!r}")
