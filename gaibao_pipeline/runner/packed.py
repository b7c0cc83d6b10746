"""A value packed once for storage: a zlib-compressed pickle, the format of the stored assets.

A reader worker packs the document and the report it produced where it produced them, so the
run's process never unpickles a document it only stores, never pickles either again, and
holds a few KB per report in a run of hundreds instead of each one's object graph. The IO
manager writes the packed bytes as they are (`io_manager`) and reads them back with `unpack`.
"""

from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# zlib at its fastest level shrinks documents and reports 3-5x for little CPU: storage holds
# every layer of every report, so this is the difference between GB and tens of GB.
LEVEL = 1


@dataclass(frozen=True, slots=True)
class Packed(Generic[T]):
    """The stored bytes of a value of type T."""

    data: bytes

    @classmethod
    def of(cls, value: T) -> Packed[T]:
        return cls(zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), LEVEL))

    def unpack(self) -> T:
        value: T = pickle.loads(zlib.decompress(self.data))
        return value
