"""``python -m triage`` is ``foi-triage``."""
import sys

from .cli import main

sys.exit(main())
