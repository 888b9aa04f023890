"""The trained model files: where they live and the integrity check before loading.

``foi-triage train`` writes its artifacts with a ``manifest.json`` listing the
sha256 of every file. Nothing is read until its sum matches the manifest:
``joblib.load`` unpickles, which can run code, and a compiled model that was
edited by hand would give silently wrong answers. A mismatch, a missing file
or a file the manifest does not list is refused with ``ModelIntegrityError``
saying which file and what to do.

The models ship inside the package (``triage/models_data/``) so that a plain
``pip install .`` finds them; ``FOI_TRIAGE_MODELS`` (a directory) overrides the
location, as does the ``models_dir`` setting of the spaCy components.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:  # the module stays light: the CLI imports it for its error type
    from .textclf import LinearTextModel

MANIFEST = "manifest.json"
ENV_VAR = "FOI_TRIAGE_MODELS"
PACKAGE_MODELS = Path(__file__).with_name("models_data")

_cache: dict[tuple[str, str, str], "LinearTextModel"] = {}
_cache_lock = threading.Lock()


class ModelIntegrityError(RuntimeError):
    """A model file is missing, unlisted, or not the file that training wrote."""


def default_models_dir() -> Path:
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else PACKAGE_MODELS


def resolve(models_dir: Union[str, Path, None]) -> Path:
    return Path(models_dir) if models_dir else default_models_dir()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(models_dir: Union[str, Path, None] = None) -> dict[str, Any]:
    d = resolve(models_dir)
    path = d / MANIFEST
    if not path.is_file():
        raise ModelIntegrityError(
            f"no trained models in {d} ({MANIFEST} not found): run `foi-triage train` (or `make train`), "
            f"or point {ENV_VAR} at a models directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelIntegrityError(f"{path} cannot be read as JSON: {e}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("artifacts"), dict):
        raise ModelIntegrityError(f"{path} has no 'artifacts' table of sha256 sums")
    return manifest


def verify(models_dir: Union[str, Path, None], filenames: list[str],
           manifest: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Check each file's sha256 against the manifest; return the manifest."""
    d = resolve(models_dir)
    manifest = manifest or read_manifest(d)
    listed = manifest["artifacts"]
    for name in filenames:
        path = d / name
        entry = listed.get(name)
        if entry is None:
            raise ModelIntegrityError(f"{path} is not listed in {d / MANIFEST}: refusing to load it")
        if not path.is_file():
            raise ModelIntegrityError(f"{path} is missing: run `foi-triage train` (or `make train`) to rebuild")
        got = sha256_file(path)
        want = entry["sha256"] if isinstance(entry, dict) else str(entry)
        if got != want:
            raise ModelIntegrityError(
                f"{path} does not match its sha256 in {d / MANIFEST} (found {got[:12]}..., "
                f"expected {want[:12]}...): the file changed after training; refusing to load it. "
                "Restore it or retrain with `foi-triage train`.")
    return manifest


def load_model(name: str, models_dir: Union[str, Path, None] = None) -> "LinearTextModel":
    """A compiled model (``NAME.json`` + ``NAME.npz``), checked first. Loaded once per content."""
    from .textclf import LinearTextModel

    d = resolve(models_dir)
    files = [f"{name}.json", f"{name}.npz"]
    manifest = verify(d, files)
    key = (str(d.resolve()), name, "".join(_sha(manifest["artifacts"][f]) for f in files))
    with _cache_lock:
        model = _cache.get(key)
        if model is None:
            model = LinearTextModel.load(d, name)
            _cache[key] = model
    return model


def load_joblib(filename: str, models_dir: Union[str, Path, None] = None) -> Any:
    """The scikit-learn pipeline of record (``NAME.joblib``), unpickled only after its sha256 matches."""
    d = resolve(models_dir)
    verify(d, [filename])
    import joblib  # imported here: the runtime path never needs it

    return joblib.load(d / filename)


def _sha(entry: Any) -> str:
    return entry["sha256"] if isinstance(entry, dict) else str(entry)
