"""Answers files for the published decision tree, shared by the answers-file and `algokg classify` tests."""

HEAD = "answered_by: Team Data, gemeente Voorbeeld\nanswered_at: 2026-05-01T10:00:00+02:00\nanswers:\n"
COMMON = [
    ('"1.1"', "Ja"),
    ('"1.2"', "We gebruiken een extern ontwikkelde toepassing zonder aanpassingen"),
    ('"1.3"', "In gebruik"),
    ('"1.4.1"', "Ja, het is een AI-systeem"),
]
# A municipality deploying a vendor's Annex III system that profiles people: conclusion 13.0.2.
DEPLOYER_13_0_2 = [
    *COMMON,
    ('"1.5"', "Nee"),
    ('"2.0"', "Naar risicogroep bepaling"),
    ('"2.1"', "Nee"),
    ('"2.3"', "Geen van beide"),
    ('"2.4"', "Ja"),
    ('"2.7.2"', "Nee"),
    ('"2.5"', "Ja"),
    ('"2.6"', "Ja"),
    ('"2.11"', "Nee"),
    ('"2.9"', "Nee"),
]


def answers_yaml(pairs: list[tuple[str, str]]) -> str:
    """An answers file: who answered and when, then each (question id as written, answer) on its own line."""
    return HEAD + "".join(f"  {key}: {value}\n" for key, value in pairs)
