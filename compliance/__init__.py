"""The compliance layer: the Algoritmekader as a graph, the AI Act decision tree and classifications,
AI Act obligations with their dates, and assessments as structured data."""
