"""The one shape of every pluggable kind: a read-only mapping from a name (as a
``challenge.toml`` or a setting spells it) to the thing, whose lookup of an
unknown name says which names exist. Adding a kind is adding a module and one
entry in its registry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

T = TypeVar("T")


class UnknownName(KeyError):
    """A name no entry has; ``str(exc)`` lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


class Registry(Mapping[str, T]):
    def __init__(self, what: str, entries: Iterable[tuple[str, T]]) -> None:
        self.what = what
        self._entries: dict[str, T] = {}
        for name, entry in entries:
            if name in self._entries:
                raise ValueError(f"two {what}s are named {name!r}")
            self._entries[name] = entry

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise UnknownName(f"unknown {self.what} {name!r} (known: {known})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}, {sorted(self._entries)})"
