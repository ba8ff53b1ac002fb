"""Modules that tests load on first use instead of at collection.

Every xdist worker imports every test module at collection, and most workers never run the
tests that need a heavy library (the runpod SDK: 0.8 s; nbclient and pytest-notebook:
0.3 s). `lazy_module(name)` stands in for the module and imports it when a test first reads
(or sets) one of its attributes.

Not importlib's LazyLoader: its module loads on any attribute read, `__class__` included.
pytest's collection probes every global of a test module (`__class__`, `__wrapped__`,
`_mock_name`: is it a fixture?), which would load them all again, so names that start with
an underscore are the stand-in's own and never load the module.
"""

from __future__ import annotations

import importlib


class LazyModule:
    """A stand-in for a module, imported on the first read or write of an attribute.

    `monkeypatch.setattr(stand_in, name, value)` works as on the module itself: pytest
    reads the target's `__dict__` to know what to restore, and that is the module's."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _module(self):
        return importlib.import_module(self._name)

    @property
    def __dict__(self):  # type: ignore[override]
        return self._module().__dict__

    def __getattr__(self, attribute: str):  # only for what the stand-in itself lacks
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self._module(), attribute)

    def __setattr__(self, attribute: str, value) -> None:
        setattr(self._module(), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(self._module(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
