"""The assessment fields of a record -> akg:Assessment nodes with their status (a part of the record writer).

Standard 1.0 lists the assessments done (``impacttoetsen_grouping``) and explains the others
(``impacttoetsen``); 0.4 names them; older standards answer yes/no per instrument (``iama``, ``dpia``); the
search listing says only Ja, Nee or Onbekend (``impactassessment``), which becomes an assessment of an
unnamed instrument with that status, so the page and the counts say exactly what the listing says.
"""

from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.mapping.assessments import UNKNOWN, UNSPECIFIED, answer_status, assessment_quads, instrument_for, status_of
from loader.sources.records import ListingRecord, Record

HAS_ASSESSMENT = t.akg("hasAssessment")
LISTED_ANSWERS = {"ja": "Ja", "nee": "Nee", "onbekend": "Onbekend"}


class AssessmentFields:
    """Writes a record's assessments; mixed into the record writer, whose helpers it uses."""

    record: Record
    graph: NamedNode
    language: str | None
    context: Any  # loader.mapping.records.MappingContext
    out: Any  # loader.mapping.records.RecordMapping

    def value(self, name: str) -> Any:
        raise NotImplementedError

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        raise NotImplementedError

    def _unmapped(self, field_name: str, value: str, reason: str, *, severity: str = "info") -> None:
        raise NotImplementedError

    def _assessment(
        self,
        number: int | str,
        *,
        title: str,
        link: str | None,
        status: str,
        description: str | None,
        instrument: NamedNode | None = None,
        answer: str | None = None,
    ) -> None:
        node = NamedNode(f"{self.out.registration.value}/assessment/{number}")
        self.add(self.out.registration, HAS_ASSESSMENT, node)
        quads: list[Quad] = assessment_quads(
            node,
            title=title,
            link=link,
            status=status,
            description=description,
            concepts=self.context.concepts,
            graph=self.graph,
            language=self.language,
            instrument=instrument,
            answer=answer,
        )
        self.out.quads += quads

    def _listed(
        self, field_name: str, number: int | str, title: str, link: str | None, explanation: str | None
    ) -> None:
        """One assessment the record lists by title: its status from its text, or kept as text if it is none."""
        instrument = instrument_for(title, self.context.concepts)[0]
        status = status_of(" ".join(filter(None, (title, link))), instrument=instrument, explanation=explanation)
        if status is None:
            self._unmapped(
                f"{field_name}.{number}", title, "the item states no assessment (a no, or a pointer elsewhere)"
            )
            return
        usable = link if link and t.is_iri(link) else None
        self._assessment(number, title=title, link=usable, status=status, description=None, instrument=instrument)

    def _assessments(self) -> None:
        record, registration = self.record, self.out.registration
        explanation = self.value("impacttoetsen")
        text = explanation if isinstance(explanation, str) else None
        for number, item in enumerate(self.value("impacttoetsen_grouping") or [], 1):
            self._listed("impacttoetsen_grouping", number, item.title, item.url or item.link, text)
        if text:
            self.add(registration, t.akg("assessmentExplanation"), t.text(text, self.language))
        elif isinstance(explanation, list):
            for number, title in enumerate(explanation, 1):
                self._listed("impacttoetsen", f"named-{number}", title, None, None)
        for key in ("iama", "dpia"):
            answer = self.value(key)
            description = self.value(f"{key}_description")
            if answer is None and description is None:
                continue
            status = answer_status(answer) if answer else UNKNOWN
            if answer and status == UNKNOWN:
                self._unmapped(key, answer, "not a yes/no answer")
            self._assessment(key, title=key.upper(), link=None, status=status, description=description, answer=answer)
        listed = self.value("impact_assessment")
        if isinstance(record, ListingRecord) and listed:
            answer = LISTED_ANSWERS.get(listed.strip().casefold())
            if answer is None:
                self._unmapped("impact_assessment", listed, "not Ja, Nee or Onbekend")
                return
            status = answer_status(answer) if answer != "Onbekend" else UNKNOWN
            if status != UNKNOWN:
                self.add(
                    registration,
                    t.akg("listedImpactAssessment"),
                    t.typed(str(status == "performed").lower(), "boolean"),
                )
            # The listing says only whether an impact assessment was done, not which: an unnamed instrument.
            title = f"impactassessment: {listed}"
            self._assessment(
                "listed", title=title, link=None, status=status, description=None, instrument=UNSPECIFIED, answer=listed
            )
