"""The catalogue of the Region's official documents (éditiques), as data.

Each type says who receives it, which event issues it, the prefix of its number, whether its
amounts are also written in words, whether it is a payment document (finance staff may read it),
whether a signed copy can be filed beside it, and the event data it needs. The templates live in
``templates/editiques/courriers/<code>.html`` and extend ``editiques/impression/base.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Destinataire:
    BENEFICIAIRE = "beneficiaire"
    COMPTABLE = "comptable"
    COMMISSION = "commission"

    LIBELLES = {
        BENEFICIAIRE: "Le demandeur (bénéficiaire)",
        COMPTABLE: "Le comptable public (paierie régionale)",
        COMMISSION: "Les élus de la commission permanente",
    }


@dataclass(frozen=True)
class TypeEditique:
    code: str
    titre: str
    prefixe: str
    destinataire: str
    evenement: str
    en_lettres: bool = False
    paiement: bool = False
    recours: bool = False
    signable_agent: bool = False
    signable_beneficiaire: bool = False
    requis: tuple[str, ...] = ()
    exemple: dict = field(default_factory=dict)

    @property
    def modele(self) -> str:
        return f"editiques/courriers/{self.code}.html"

    @property
    def pour_le_beneficiaire(self) -> bool:
        """Filed in the applicant's digital safe and notified to them."""
        return self.destinataire == Destinataire.BENEFICIAIRE

    @property
    def signable(self) -> bool:
        return self.signable_agent or self.signable_beneficiaire

    @property
    def libelle_destinataire(self) -> str:
        return Destinataire.LIBELLES[self.destinataire]


_DELIBERATION = {"numero": "2026.1234.CP", "date": "2026-06-15"}
_PIECES = [
    {"libelle": "Budget prévisionnel", "motif": "Le budget n'est pas équilibré."},
    {"libelle": "Relevé d'identité bancaire", "motif": "Le document est illisible."},
]

TYPES: tuple[TypeEditique, ...] = (
    TypeEditique(
        code="accuse_reception",
        titre="Accusé de réception de votre demande",
        prefixe="ACR",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Dépôt de la demande en ligne (dossier déposé)",
    ),
    TypeEditique(
        code="accuse_completude",
        titre="Votre demande est complète",
        prefixe="ACC",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Le service instructeur déclare le dossier complet (passage en instruction)",
        exemple={"date_commission": "2026-06-15"},
    ),
    TypeEditique(
        code="demande_pieces",
        titre="Demande de pièces complémentaires",
        prefixe="DPC",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Le service instructeur demande des pièces (dossier incomplet)",
        requis=("pieces", "date_limite"),
        exemple={"pieces": _PIECES, "date_limite": "2026-04-30"},
    ),
    TypeEditique(
        code="relance",
        titre="Relance : des pièces sont toujours attendues",
        prefixe="REL",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Échéance de la demande de pièces sans réponse complète",
        requis=("pieces", "date_limite"),
        exemple={"pieces": _PIECES, "date_limite": "2026-05-31", "date_demande": "2026-03-31"},
    ),
    TypeEditique(
        code="irrecevabilite",
        titre="Votre demande ne peut pas être examinée",
        prefixe="IRR",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Le dossier est déclaré irrecevable",
        recours=True,
        requis=("motif",),
        exemple={"motif": "La demande a été déposée après la clôture de l'appel à projets."},
    ),
    TypeEditique(
        code="refus",
        titre="Votre demande d'aide n'est pas retenue",
        prefixe="REF",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Décision de rejet (vote de la commission permanente ou décision du Président)",
        recours=True,
        requis=("motif",),
        exemple={
            "motif": "Le projet ne répond pas au critère de rayonnement régional du règlement.",
            "deliberation": _DELIBERATION,
        },
    ),
    TypeEditique(
        code="arrete_attributif",
        titre="Arrêté attributif de subvention",
        prefixe="ARR",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Décision d'attribution (vote de la commission permanente)",
        en_lettres=True,
        recours=True,
        signable_agent=True,
        requis=("montant", "deliberation"),
        exemple={"montant": "8000.00", "deliberation": _DELIBERATION, "delai_caducite_mois": 24},
    ),
    TypeEditique(
        code="convention",
        titre="Convention d'attribution de subvention",
        prefixe="CNV",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Décision d'attribution d'une aide conventionnée (vote de la commission permanente)",
        en_lettres=True,
        recours=True,
        signable_agent=True,
        signable_beneficiaire=True,
        requis=("montant", "deliberation"),
        exemple={"montant": "8000.00", "deliberation": _DELIBERATION, "duree_mois": 24},
    ),
    TypeEditique(
        code="notification_attribution",
        titre="Notification d'attribution d'une aide régionale",
        prefixe="NOT",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Décision d'attribution (vote de la commission permanente)",
        recours=True,
        requis=("montant",),
        exemple={"montant": "8000.00", "deliberation": _DELIBERATION},
    ),
    TypeEditique(
        code="avenant",
        titre="Avenant à la convention",
        prefixe="AVE",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Modification de l'aide votée (montant, durée ou objet)",
        en_lettres=True,
        recours=True,
        signable_agent=True,
        signable_beneficiaire=True,
        requis=("montant", "montant_initial", "motif"),
        exemple={
            "montant": "9500.00",
            "montant_initial": "8000.00",
            "motif": "Le festival accueille une journée supplémentaire.",
            "convention": "2026-CNV-000001",
            "deliberation": _DELIBERATION,
        },
    ),
    TypeEditique(
        code="avis_paiement",
        titre="Avis de paiement",
        prefixe="AVP",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Mandatement d'un versement (avance, acompte ou solde)",
        paiement=True,
        requis=("montant", "echeance"),
        exemple={
            "montant": "4000.00",
            "echeance": "Avance (50 %)",
            "mandat": "2026-M-004512",
            "date_paiement": "2026-07-20",
            "iban_masque": "FR76 •••• •••• •••• •••• ••01 89",
        },
    ),
    TypeEditique(
        code="mandat",
        titre="Mandat de paiement",
        prefixe="MAN",
        destinataire=Destinataire.COMPTABLE,
        evenement="Liquidation d'un versement par le gestionnaire financier",
        en_lettres=True,
        paiement=True,
        requis=("montant", "exercice"),
        exemple={
            "montant": "4000.00",
            "exercice": 2026,
            "echeance": "Avance (50 %)",
            "iban": "FR7630006000011234567890189",
            "bic": "AGRIFRPP",
        },
    ),
    TypeEditique(
        code="bordereau",
        titre="Bordereau de mandats",
        prefixe="BOR",
        destinataire=Destinataire.COMPTABLE,
        evenement="Émission d'un bordereau de mandats vers le comptable public",
        en_lettres=True,
        paiement=True,
        requis=("lignes", "exercice"),
        exemple={
            "exercice": 2026,
            "lignes": [
                {
                    "mandat": "2026-M-004512",
                    "beneficiaire": "Les Tréteaux de la Creuse",
                    "imputation": "65-6574-311",
                    "montant": "4000.00",
                },
                {
                    "mandat": "2026-M-004513",
                    "beneficiaire": "Commune de Saint-Junien",
                    "imputation": "204-204142-74",
                    "montant": "125000.00",
                },
            ],
        },
    ),
    TypeEditique(
        code="caducite",
        titre="Caducité de votre subvention",
        prefixe="CAD",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Échéance du délai de réalisation sans justificatif (dossier caduc)",
        recours=True,
        requis=("montant", "date_limite"),
        exemple={
            "montant": "8000.00",
            "montant_verse": "4000.00",
            "date_limite": "2026-01-31",
            "arrete": "2024-ARR-000112",
        },
    ),
    TypeEditique(
        code="ordre_reversement",
        titre="Titre de recettes — ordre de reversement",
        prefixe="OTR",
        destinataire=Destinataire.BENEFICIAIRE,
        evenement="Reversement demandé (caducité, trop-perçu ou projet non réalisé)",
        en_lettres=True,
        paiement=True,
        recours=True,
        requis=("montant", "motif", "date_limite"),
        exemple={
            "montant": "1500.00",
            "montant_verse": "4000.00",
            "motif": "Les dépenses justifiées sont inférieures au budget subventionné.",
            "date_limite": "2026-09-30",
            "exercice": 2026,
        },
    ),
    TypeEditique(
        code="rapport_commission",
        titre="Rapport à la commission permanente",
        prefixe="RAP",
        destinataire=Destinataire.COMMISSION,
        evenement="Inscription des propositions à l'ordre du jour d'une commission permanente",
        requis=("lignes", "date_commission"),
        exemple={
            "date_commission": "2026-06-15",
            "lignes": [
                {
                    "dossier": "2026-FON-000001",
                    "beneficiaire": "Les Tréteaux de la Creuse",
                    "projet": "Festival des Tréteaux 2026",
                    "montant_demande": "8000.00",
                    "montant": "7000.00",
                },
                {
                    "dossier": "2026-FON-000002",
                    "beneficiaire": "Compagnie du Bord de l'Eau",
                    "projet": "Saison de théâtre itinérant",
                    "montant_demande": "12000.00",
                    "montant": "10000.00",
                },
            ],
        },
    ),
)

CATALOGUE: dict[str, TypeEditique] = {t.code: t for t in TYPES}
CHOICES = [(t.code, t.titre) for t in TYPES]
TYPES_PAIEMENT = frozenset(t.code for t in TYPES if t.paiement)
TYPES_SIGNABLES = frozenset(t.code for t in TYPES if t.signable)

def get(code: str) -> TypeEditique:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ValueError(f"Type d'éditique inconnu : {code}") from None
