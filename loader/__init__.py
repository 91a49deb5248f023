"""Loading data into the algokg store: the model, the default dataset, atomically."""

from loader.errors import AlgokgError, StoreError
from loader.store import build_store, open_store

__all__ = ["AlgokgError", "StoreError", "build_store", "open_store"]
