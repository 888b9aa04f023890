"""foi-triage: the first read of a Freedom of Information request, in milliseconds."""

__version__ = "0.1.0"

from .pipeline import InputError, Triage  # noqa: E402

__all__ = ["InputError", "Triage", "__version__"]
