"""Cache keys for anything derived from user data: a SHA-256 digest of the whole input.

A key made this way names its input: two inputs share a key only if they are equal in every
column name, dtype and value (finding another pair is a SHA-256 collision). Never key user data
by pandas' 64-bit row hashes (they can be inverted: a crafted roster can take another roster's
key) or by `st.cache_data`'s own hashing of a DataFrame (it samples 10,000 rows of a large one).
"""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pandas as pd


def digest(*parts: object) -> str:
    """The hex SHA-256 digest of `parts`, in order: DataFrames by their whole content (`_frame`),
    anything else by its type and `repr` (settings, labels, other digests)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            _put(h, b"frame")
            _frame(h, part)
        else:
            _put(h, f"{type(part).__module__}.{type(part).__qualname__}".encode())
            _put(h, repr(part).encode())
    return h.hexdigest()


def _put(h: hashlib._Hash, data: bytes) -> None:
    """One field, length first, so that no two sequences of fields write the same bytes."""
    h.update(len(data).to_bytes(8, "little"))
    h.update(data)


def _frame(h: hashlib._Hash, frame: pd.DataFrame) -> None:
    _put(h, repr(frame.shape).encode())
    _put(h, repr(list(frame.columns)).encode())
    _values(h, frame.index.to_series(index=None))
    for i in range(frame.shape[1]):
        _values(h, frame.iloc[:, i])


def _values(h: hashlib._Hash, column: pd.Series) -> None:
    """A column by its dtype and every value: numbers by their bytes, anything else (text, mixed
    cells) pickled, which is exact: equal pickles unpickle to equal values. (A pickle of equal
    values can differ, which only misses the cache.)"""
    dtype = column.dtype
    _put(h, str(dtype).encode())
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        _put(h, dtype.str.encode())
        _put(h, np.ascontiguousarray(column.to_numpy()).tobytes())
    else:
        _put(h, pickle.dumps(column.tolist(), protocol=5))
