"""Answers of the REST queries, cached per data version: a generation never changes once current, so an
answer for (generation, query, bindings) stays right until the next commit moves `current`."""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class VersionedCache:
    """A small LRU of answers keyed by data version and query; entries of other versions are dropped."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()

    def get(self, version: str, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
        value = compute()  # outside the lock: a slow query must not hold up the others
        with self._lock:
            if version == self._version:
                self._entries[key] = value
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return value
