"""The supervisor reports: their names, their words in Dutch and English, the queries they run and their parameters
(run by :mod:`compliance.reports`)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["REPORTS", "ReportDefinition"]


@dataclass(frozen=True)
class ReportDefinition:
    """A report: its name, its words in Dutch and English, the queries it runs and the parameters it takes."""

    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    queries: tuple[str, ...]
    parameters: tuple[str, ...] = ("organisation",)

    def to_json(self, language: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title[language],
            "description": self.description[language],
            "queries": list(self.queries),
            "parameters": list(self.parameters),
        }


REPORTS: dict[str, ReportDefinition] = {
    definition.name: definition
    for definition in (
        ReportDefinition(
            "fria-missing",
            {
                "en": "Public deployers of Annex III systems without a FRIA",
                "nl": "Publieke gebruiksverantwoordelijken van bijlage III-systemen zonder FRIA",
            },
            {
                "en": "Art 27(1) AI Act: bodies governed by public law assess the impact on fundamental rights before "
                "they first use a high-risk system of Annex III (except point 2). 'stated': the graph records the "
                "Annex III point and the public deployer; 'classified': a classification with the decision tree "
                "says high-risk under Annex III and a public authority deploys it, but the point is not recorded "
                "(point 2 would be exempt); 'presumed': no classification, and the register says high-risk AI "
                "system (category A) and records neither, so the publishing government organisation is presumed "
                "to be the deployer. The category and roles are those of the algorithm's AI Act position (its "
                "newest classification wins over what is declared). Algorithms out of use are left out.",
                "nl": "Art. 27, lid 1, AI-verordening: publiekrechtelijke organisaties beoordelen de gevolgen voor "
                "grondrechten voordat zij een AI-systeem met een hoog risico uit bijlage III (behalve punt 2) "
                "voor het eerst gebruiken. 'vastgelegd': de graaf kent het punt van bijlage III en de publieke "
                "gebruiksverantwoordelijke; 'geclassificeerd': een classificatie met de beslishulp zegt hoog risico "
                "volgens bijlage III en een overheidsorgaan zet het in, maar het punt is niet vastgelegd (punt 2 is "
                "uitgezonderd); 'vermoed': geen classificatie, en het register noemt het een hoog-risico "
                "AI-systeem (categorie A) zonder die gegevens, dus geldt de publicerende overheidsorganisatie als "
                "gebruiksverantwoordelijke. Categorie en rollen zijn die van de positie van het algoritme onder "
                "de AI-verordening (de nieuwste classificatie gaat voor wat is opgegeven). Algoritmes buiten "
                "gebruik tellen niet mee.",
            },
            ("report-fria-missing",),
        ),
        ReportDefinition(
            "assessment-gaps",
            {
                "en": "High-risk or impactful algorithms without IAMA, DPIA or statutory basis",
                "nl": "Hoog-risico- of impactvolle algoritmes zonder IAMA, DPIA of wettelijke grondslag",
            },
            {
                "en": "Algorithms whose AI Act position (the newest classification, else what is declared) is "
                "high-risk, or with publication category B, or A when no classification says otherwise, in use or in "
                "development, lacking a performed IAMA, a performed DPIA, or any stated legal basis (neither a "
                "cited law nor a text). One finding per algorithm and what it lacks; a reason given for not "
                "doing an assessment is shown.",
                "nl": "Algoritmes met een hoog risico volgens hun positie onder de AI-verordening (de nieuwste "
                "classificatie, anders wat is opgegeven), of met publicatiecategorie B, of A als geen classificatie "
                "iets anders zegt, in gebruik of in ontwikkeling, zonder uitgevoerde IAMA, zonder uitgevoerde DPIA of zonder enige "
                "vermelde wettelijke grondslag (geen wet en geen tekst). Eén bevinding per algoritme en wat "
                "ontbreekt; een opgegeven reden om een toets niet te doen staat erbij.",
            },
            ("report-assessment-gaps",),
            ("organisation", "law"),
        ),
        ReportDefinition(
            "stale-law-links",
            {
                "en": "Statutory bases citing a law version that is no longer current",
                "nl": "Wettelijke grondslagen die naar een niet meer geldende wetsversie verwijzen",
            },
            {
                "en": "A dated link (wetten.overheid.nl/BWBR…/YYYY-MM-DD, Juriconnect g= or z=) to a law or article "
                "whose current version, as known to algokg (akg:isCurrentVersionOn), applies from a later date. "
                "Links to laws whose current version algokg does not know cannot be checked; their number is "
                "given with the report.",
                "nl": "Een gedateerde verwijzing (wetten.overheid.nl/BWBR…/JJJJ-MM-DD, Juriconnect g= of z=) naar "
                "een wet of artikel waarvan de geldende versie, voor zover algokg die kent "
                "(akg:isCurrentVersionOn), op een latere datum ingaat. Verwijzingen naar wetten waarvan algokg de "
                "geldende versie niet kent, zijn niet te controleren; hun aantal staat bij de rapportage.",
            },
            ("report-stale-law-links", "report-law-links-unchecked"),
        ),
        ReportDefinition(
            "obligations-due",
            {
                "en": "AI Act obligations falling due within the coming months",
                "nl": "Verplichtingen uit de AI-verordening die de komende maanden ingaan",
            },
            {
                "en": "For every algorithm with AI Act roles, the obligations (compliance.obligations) whose "
                "governing date lies from the reference day up to N months after it; the dates come from the "
                "model's dated applicability data, amended dates included.",
                "nl": "Voor elk algoritme met rollen onder de AI-verordening de verplichtingen waarvan de "
                "geldende datum valt tussen de peildatum en N maanden daarna; de data komen uit de gedateerde "
                "toepasselijkheid in het model, gewijzigde data inbegrepen.",
            },
            ("report-obligation-candidates", "obligations", "obligation-dates"),
            ("organisation", "months", "on"),
        ),
        ReportDefinition(
            "aiact-disagreement",
            {
                "en": "Classification and declared AI Act category differ",
                "nl": "Classificatie en opgegeven categorie onder de AI-verordening verschillen",
            },
            {
                "en": "Algorithms whose newest classification with the AI Act decision tree finds another category "
                "than the one declared for them (akg:riskLevel: the register's declaration or other loaded data), "
                "e.g. the register says high-risk and the classification says not high-risk by Art 6(3). The "
                "classification counts for the obligations, reports, Annex VIII export and pages; both are kept "
                "and shown. 'High-risk with transparency obligations' agrees with 'high-risk', and a general-purpose "
                "AI model with one with systemic risk. Algorithms out of use are left out.",
                "nl": "Algoritmes waarvan de nieuwste classificatie met de beslishulp AI-verordening een andere "
                "categorie vindt dan voor hen is opgegeven (akg:riskLevel: wat het register zegt of andere geladen "
                "gegevens), bijvoorbeeld: het register zegt hoog risico, de classificatie zegt geen hoog risico "
                "door artikel 6, lid 3. De classificatie telt voor verplichtingen, rapportages, bijlage VIII en de "
                "pagina's; beide blijven bewaard en zichtbaar. 'Hoog risico met transparantieverplichtingen' komt "
                "overeen met 'hoog risico', en een AI-model voor algemene doeleinden met een met systeemrisico. "
                "Algoritmes buiten gebruik tellen niet mee.",
            },
            ("report-aiact-disagreement",),
        ),
    )
}
