"""The local store: the only package that talks SQL and knows about SQLCipher.

``open_store(path)`` gives a :class:`~desktop.store.database.Store`; sessions from it
record every change in the change log in the same transaction.
"""

from desktop.store.database import Store, open_store

__all__ = ["Store", "open_store"]
