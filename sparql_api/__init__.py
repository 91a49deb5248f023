"""The HTTP face of algokg: a SPARQL endpoint over the store."""

from sparql_api.app import create_app

__all__ = ["create_app"]
