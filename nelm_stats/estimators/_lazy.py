"""scipy's heavy submodules, imported when first used rather than when the package is imported
(``import nelm_stats`` and the dashboard's first page come up faster; scipy.stats alone takes
about half a second to import)."""
from __future__ import annotations

import importlib

__all__ = ["stats", "optimize"]


class _Lazy:
    def __init__(self, name: str):
        self._name = name
        self._module = None

    def __getattr__(self, attr):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


stats = _Lazy("scipy.stats")
optimize = _Lazy("scipy.optimize")
