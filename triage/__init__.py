"""foi-triage: the first read of a Freedom of Information request, in milliseconds."""

__version__ = "0.1.0"

from ._spacy_import import install as _install_spacy_import  # noqa: E402

_install_spacy_import()  # before anything imports spaCy: see _spacy_import.py

from .pipeline import InputError, Triage  # noqa: E402

__all__ = ["InputError", "Triage", "__version__"]
