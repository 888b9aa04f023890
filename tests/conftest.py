"""Test-wide setup.

The default disclosure store (``triage.disclosures.default_store``) lives in
the user data directory; point that at a temporary directory for the whole
run (subprocesses inherit it) so tests never touch a real home directory,
and start each run from the shipped sample log.
"""
import atexit
import os
import shutil
import tempfile

_DATA_HOME = tempfile.mkdtemp(prefix="foi-triage-tests-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME
os.environ.pop("FOI_TRIAGE_DB", None)
atexit.register(shutil.rmtree, _DATA_HOME, True)
