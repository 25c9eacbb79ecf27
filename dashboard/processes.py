"""What every child process the app starts needs (the split curve's workers, the upload
reader). No Streamlit in here."""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec


def no_main_rerun() -> None:
    """Call before starting a child process. Streamlit runs the script as a module named
    "__main__" with a file but no spec, so a new process would run the whole app again on
    start; a spec named "__main__" tells multiprocessing that there is no main module to
    rerun."""
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is None:
        main.__spec__ = ModuleSpec("__main__", None)
