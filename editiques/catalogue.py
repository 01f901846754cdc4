"""The catalogue of the Region's documents: for each type, its title, who receives it, the event
that issues it, and the data builder (what the letter needs, as a JSON snapshot)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from num2words import num2words

from editiques.models import TypeDocument

# Bumped when a template's wording or layout changes; stored on each document.
VERSION_GABARITS = "2026.12-1"

DELAI_RECOURS = "deux mois"
ESPACE_FINE = "\u202f"


@dataclass(frozen=True)
class Modele:
    type: str
    prefixe: str
    objet: str
    destinataire: str
    evenement: str
    recours: bool = False
    en_lettres: bool = False
    requis: tuple[str, ...] = ()  # data without which the letter would be wrong


MODELES = {
    m.type: m
    for m in [
        Modele(
            "accuse_depot",
            "AD",
            "Accusé de réception de votre demande d'aide",
            "le demandeur (Tiers du dossier)",
            "dépôt de la demande (dispositifs.depot.services.dossier_deposer)",
        ),
        Modele(
            "accuse_completude",
            "AC",
            "Votre dossier est complet",
            "le demandeur",
            "transition « declarer_complet » du circuit d'instruction",
        ),
        Modele(
            "demande_pieces",
            "DP",
            "Pièces à fournir pour votre demande",
            "le demandeur",
            "transition « demander_pieces »",
            requis=("echeance",),
        ),
        Modele(
            "relance",
            "RL",
            "Rappel : pièces à fournir",
            "le demandeur",
            "relance automatique avant l'échéance (instruction.services.relances_pieces)",
            requis=("echeance",),
        ),
        Modele(
            "irrecevabilite",
            "IR",
            "Votre demande ne peut pas être examinée",
            "le demandeur",
            "transition « declarer_irrecevable »",
            recours=True,
        ),
        Modele(
            "refus",
            "RF",
            "Décision sur votre demande d'aide : refus",
            "le demandeur",
            "transition « refuser » (décision de la commission)",
            recours=True,
        ),
        Modele(
            "arrete_attributif",
            "AR",
            "Arrêté attributif de subvention",
            "le bénéficiaire ; copie au service financier",
            "transition « attribuer » (vote de la commission permanente)",
            recours=True,
            en_lettres=True,
            requis=("montant",),
        ),
        Modele(
            "convention",
            "CV",
            "Convention d'attribution de subvention",
            "le bénéficiaire (à signer et renvoyer)",
            "attribution d'une aide au-delà du seuil de convention (paiements)",
            recours=True,
            en_lettres=True,
            requis=("montant",),
        ),
        Modele(
            "notification_attribution",
            "NA",
            "Bonne nouvelle : une aide vous est attribuée",
            "le bénéficiaire",
            "attribution de l'aide (vote de la commission)",
            recours=True,
            requis=("montant",),
        ),
        Modele(
            "avenant",
            "AV",
            "Avenant à la convention",
            "le bénéficiaire",
            "modification d'un engagement (montant, délai)",
            recours=True,
            en_lettres=True,
            requis=("montant",),
        ),
        Modele(
            "avis_paiement",
            "AP",
            "Avis de paiement",
            "le bénéficiaire",
            "mandat de paiement émis (paiements)",
            requis=("montant",),
        ),
        Modele(
            "mandat",
            "MD",
            "Mandat de paiement",
            "le comptable public (paierie régionale)",
            "création d'un mandat (paiements)",
            en_lettres=True,
            requis=("montant",),
        ),
        Modele(
            "bordereau",
            "BD",
            "Bordereau de mandats",
            "le comptable public (paierie régionale)",
            "clôture d'un bordereau (paiements)",
            requis=("lignes",),
        ),
        Modele(
            "caducite",
            "CD",
            "Votre aide est devenue caduque",
            "le bénéficiaire",
            "transition « constater_caducite »",
            recours=True,
        ),
        Modele(
            "ordre_reversement",
            "OR",
            "Ordre de reversement",
            "le bénéficiaire",
            "constat d'un trop-perçu (paiements)",
            recours=True,
            en_lettres=True,
            requis=("montant",),
        ),
        Modele(
            "rapport_commission",
            "RC",
            "Rapport à la commission permanente",
            "les élus de la commission permanente",
            "clôture de l'ordre du jour d'une commission",
            requis=("lignes",),
        ),
    ]
}
assert set(MODELES) == set(TypeDocument.values)


# --- formatting -------------------------------------------------------------------------------


def decimal(valeur) -> Decimal | None:
    if valeur in (None, ""):
        return None
    try:
        return Decimal(str(valeur)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValueError(f"Montant illisible : {valeur!r}") from None


def montant_chiffres(valeur: Decimal | None) -> str:
    if valeur is None:
        return ""
    entier, _, cents = f"{valeur:,.2f}".partition(".")
    return entier.replace(",", ESPACE_FINE) + f",{cents} €"


def montant_lettres(valeur: Decimal | None) -> str:
    if valeur is None:
        return ""
    return num2words(valeur, lang="fr", to="currency", currency="EUR")


def date_fr(valeur: dt.date | dt.datetime | str | None) -> str:
    if not valeur:
        return ""
    if isinstance(valeur, str):
        valeur = dt.date.fromisoformat(valeur[:10])
    if isinstance(valeur, dt.datetime):
        valeur = timezone.localtime(valeur).date() if timezone.is_aware(valeur) else valeur.date()
    mois = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ]  # fmt: skip
    jour = "1er" if valeur.day == 1 else str(valeur.day)
    return f"{jour} {mois[valeur.month - 1]} {valeur.year}"


def _montant(valeur) -> dict:
    d = decimal(valeur)
    return {
        "valeur": str(d) if d is not None else "",
        "chiffres": montant_chiffres(d),
        "lettres": montant_lettres(d),
    }


# --- data builders ----------------------------------------------------------------------------


def _adresse(tiers) -> list[str]:
    adresse = (tiers.adresse or {}) if tiers else {}
    lignes = [adresse.get("ligne", ""), adresse.get("complement", "")]
    ville = " ".join(x for x in [adresse.get("code_postal", ""), adresse.get("commune", "")] if x)
    return [x for x in [*lignes, ville] if x]


def _montant_attribue(dossier, contexte: dict):
    if contexte.get("montant") not in (None, ""):
        return contexte["montant"]
    if dossier is None:
        return None
    proposition = dossier.propositions.filter(statut="approuvee").order_by("-cree_le").first()
    return proposition.montant if proposition else None


def _motif(dossier, contexte: dict, type: str) -> str:
    if contexte.get("motif"):
        return str(contexte["motif"])
    if dossier is None:
        return ""
    evenement = dossier.evenements.filter(visible_usager=True).order_by("-cree_le", "-id").first()
    if evenement and "Motif : " in evenement.detail:
        return evenement.detail.split("Motif : ", 1)[1]
    return ""


def _pieces(dossier, contexte: dict) -> tuple[list[str], str]:
    pieces = contexte.get("pieces")
    echeance = contexte.get("echeance")
    if (pieces is None or not echeance) and dossier is not None:
        demande = dossier.demandes_pieces.order_by("-demandee_le").first()
        if demande:
            pieces = pieces if pieces is not None else demande.pieces
            echeance = echeance or demande.echeance.isoformat()
    libelles = [p.get("libelle", str(p)) if isinstance(p, dict) else str(p) for p in pieces or []]
    return libelles, echeance or ""


class DonneesManquantes(ValueError):
    """The letter cannot be issued without these data (the render fails, with this message)."""


def construire(
    *,
    type: str,
    numero: str,
    date: dt.datetime,
    dossier=None,
    tiers=None,
    contexte: dict | None = None,
    version: int = 1,
    remplace: str = "",
    projet: bool = False,
) -> dict:
    """The JSON snapshot of every datum the letter prints. Stored on the document."""
    modele = MODELES[type]
    contexte = dict(contexte or {})
    tiers = tiers or (dossier.tiers if dossier is not None else None)
    dispositif = dossier.dispositif if dossier is not None else None
    service = dispositif.service if dispositif is not None else None
    jour = date.date() if isinstance(date, dt.datetime) else date
    donnees = {
        "type": type,
        "objet": modele.objet,
        "numero": numero,
        "version": version,
        "remplace": remplace,
        "date": jour.isoformat(),
        "date_texte": date_fr(jour),
        "region": settings.MDNA_REGION_NAME,
        "tribunal": settings.MDNA_TRIBUNAL_ADMINISTRATIF,
        "delai_recours": DELAI_RECOURS,
        "recours": modele.recours,
        "en_lettres": modele.en_lettres,
        "destinataire": {
            "nom": tiers.nom if tiers else str(contexte.get("destinataire", "")),
            "representant": tiers.representant if tiers else "",
            "siret": tiers.siret if tiers else "",
            "adresse": _adresse(tiers),
        },
        "service": {
            "nom": service.nom if service else str(contexte.get("service", "")),
            "email": service.email if service else "",
        },
        "signataire": {
            "nom": str(contexte.get("signataire", "")) or settings.MDNA_SIGNATAIRE_NOM,
            "qualite": str(contexte.get("qualite", "")) or settings.MDNA_SIGNATAIRE_QUALITE,
        },
        "dossier": None,
        "contexte": {k: v for k, v in contexte.items() if isinstance(v, str | int | float)},
    }
    if dossier is not None:
        donnees["dossier"] = {
            "numero": dossier.numero or "",
            "titre": dossier.titre,
            "dispositif": dispositif.nom,
            "depose_le": date_fr(dossier.depose_le),
            "montant_demande": _montant(dossier.montant_demande),
            "cout_total": _montant(dossier.cout_total),
            "date_debut": date_fr(dossier.date_debut),
            "date_fin": date_fr(dossier.date_fin),
        }
    montant = _montant_attribue(dossier, contexte)
    if montant is None and projet and dossier is not None:
        montant = dossier.montant_demande  # a draft before the decision: the amount asked for
    donnees["montant"] = _montant(montant)
    donnees["motif"] = _motif(dossier, contexte, type)
    pieces, echeance = (
        _pieces(dossier, contexte) if type in ("demande_pieces", "relance") else ([], "")
    )
    donnees["pieces"] = pieces
    donnees["echeance"] = date_fr(echeance)
    for cle in ("date_paiement", "date_limite", "date_commission", "date_fin_validite"):
        if contexte.get(cle):
            donnees[cle] = date_fr(contexte[cle])
    if type in ("mandat", "bordereau", "rapport_commission"):
        lignes = contexte.get("lignes") or []
        donnees["lignes"] = [
            {
                "libelle": str(ligne.get("libelle", "")),
                "beneficiaire": str(ligne.get("beneficiaire", "")),
                "reference": str(ligne.get("reference", "")),
                "montant": _montant(ligne.get("montant")),
            }
            for ligne in lignes
        ]
        total = sum((decimal(ligne.get("montant")) or Decimal(0) for ligne in lignes), Decimal(0))
        donnees["total"] = _montant(contexte.get("total", total if lignes else None))
    for cle in ("montant_initial", "montant_verse", "montant_du"):
        if contexte.get(cle) not in (None, ""):
            donnees[cle] = _montant(contexte[cle])
    presents = {
        "montant": donnees["montant"]["valeur"],
        "lignes": donnees.get("lignes"),
        "echeance": donnees["echeance"],
    }
    manquants = [champ for champ in modele.requis if not presents.get(champ)]
    if manquants and not projet:
        raise DonneesManquantes(
            f"Données manquantes pour « {modele.objet} » : {', '.join(manquants)}."
        )
    return donnees
