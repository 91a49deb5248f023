"""Reconciliation of register values to real identifiers: organisations to TOOI, law links to BWB/ELI."""
