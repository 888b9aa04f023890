"""Reading a JSON Lines file whole, with errors that name the file and line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Union


def read_lines(path: Union[str, Path], error: type[Exception]) -> list[tuple[str, Any]]:
    """``[("path:line", value), ...]`` for the non-blank lines of ``path``.

    Anything unreadable (missing file, not UTF-8, a line that is not JSON) raises
    ``error`` with a message saying where; what the values must be is the caller's check.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise error(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise error(f"{path} is not UTF-8 text") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append((f"{path}:{n}", json.loads(line)))
        except json.JSONDecodeError as e:
            raise error(f"{path}:{n}: not JSON ({e.msg})") from None
    return out
