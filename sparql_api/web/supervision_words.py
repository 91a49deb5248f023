"""The words of the supervisor's table (`templates/supervised-table.html`) and the reports' law field, Dutch and English; `i18n` merges them
into its messages."""

from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "sup.heading.organisation": "Algoritmes en hun toetsen",
        "reports.law": "Wet of artikel (IRI of BWB-id; leeg: alle)",
        "sup.filter": "Ontbrekende toetsen",
        "sup.filter.legend": "Alleen algoritmes waarvan het register geen uitgevoerde … noemt",
        "sup.filter.any": "Eén ontbrekende toets is genoeg (OF): met DPIA en IAMA aangevinkt ziet u de algoritmes "
        "zonder uitgevoerde DPIA, zonder uitgevoerde IAMA of zonder allebei. Een geplande of niet uitgevoerde toets "
        "telt als ontbrekend.",
        "sup.filter.clear": "Filter wissen",
        "sup.filtered": "Alleen algoritmes zonder uitgevoerde {names} (een ervan ontbreekt)",
        "sup.or": " of ",
        "sup.download": "Download alle {total} rijen als CSV",
        "sup.report": "Rapportage: hoog-risico- of impactvolle algoritmes zonder IAMA, DPIA of grondslag",
        "sup.legend": "“niet genoemd”: het register noemt geen toets met dit instrument. De andere waarden zeggen wat "
        "het register over de toets vermeldt.",
        "sup.cited.law": "Geciteerd",
        "sup.cited.organisation": "Wettelijke grondslag",
        "sup.sorted.ascending": "oplopend gesorteerd",
        "sup.sorted.descending": "aflopend gesorteerd",
        "sup.instrument.dpia": "DPIA",
        "sup.instrument.iama": "IAMA",
        "sup.instrument.fria": "FRIA",
        "sup.instrument.unspecified": "Impacttoets (instrument niet genoemd)",
        "sup.state.performed": "uitgevoerd",
        "sup.state.planned": "gepland of in uitvoering",
        "sup.state.not-performed": "niet uitgevoerd",
        "sup.state.not-needed": "niet nodig",
        "sup.state.unknown": "onbekend",
        "sup.state.missing": "niet genoemd",
    },
    "en": {
        "sup.heading.organisation": "Algorithms and their assessments",
        "reports.law": "Law or article (IRI or BWB id; empty: all)",
        "sup.filter": "Missing assessments",
        "sup.filter.legend": "Only algorithms whose record names no performed …",
        "sup.filter.any": "One missing assessment is enough (OR): with DPIA and IAMA ticked you see the algorithms "
        "without a performed DPIA, without a performed IAMA or without both. A planned or not performed assessment "
        "counts as missing.",
        "sup.filter.clear": "Clear filter",
        "sup.filtered": "Only algorithms without a performed {names} (any of them missing)",
        "sup.or": " or ",
        "sup.download": "Download all {total} rows as CSV",
        "sup.report": "Report: high-risk or impactful algorithms without IAMA, DPIA or statutory basis",
        "sup.legend": "“not named”: the register names no assessment with this instrument. The other values say what "
        "the register states about the assessment.",
        "sup.cited.law": "Cited",
        "sup.cited.organisation": "Statutory basis",
        "sup.sorted.ascending": "sorted ascending",
        "sup.sorted.descending": "sorted descending",
        "sup.instrument.dpia": "DPIA",
        "sup.instrument.iama": "IAMA",
        "sup.instrument.fria": "FRIA",
        "sup.instrument.unspecified": "Impact assessment (instrument not named)",
        "sup.state.performed": "performed",
        "sup.state.planned": "planned or under way",
        "sup.state.not-performed": "not performed",
        "sup.state.not-needed": "not needed",
        "sup.state.unknown": "unknown",
        "sup.state.missing": "not named",
    },
}
