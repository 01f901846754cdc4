"""Open data: the grants decided, in the national SCDL « subventions » format (schema 2.1.1,
schema.data.gouv.fr/scdl/subventions), as required by Décret n° 2017-779 for grants above
23 000 € (optionally all of them). Individuals are never published (personal data).

One row per granted dossier (attribué, then en paiement, soldé): the amount is the approved
proposal's, the decision date that of the ``attribuer`` event of the timeline."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from dispositifs.models import Dossier, Etat, EvenementDossier
from mdna.models import TypeTiers

VERSION_SCHEMA = "2.1.1"
# The columns, in the schema's order.
COLONNES = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
SEUIL_LEGAL = Decimal("23000")  # Décret n° 2017-779 : « dont le montant dépasse 23 000 euros »
ATTRIBUES = (Etat.ATTRIBUE, Etat.EN_PAIEMENT, Etat.SOLDE)
SIRET = re.compile(r"^\d{14}$")
RNA = re.compile(r"^W\d{9}$")


class ExportImpossible(Exception):
    pass


def subventions(
    *, tous: bool = False, annee: int | None = None, commission: int | None = None
) -> QuerySet[Dossier]:
    """The granted dossiers to publish, with ``montant_accorde`` and ``decide_le``; with
    ``commission``, those adopted by that session of the commission permanente."""
    from instruction.models import Proposition, StatutProposition

    montant = (
        Proposition.objects.filter(dossier=OuterRef("pk"), statut=StatutProposition.APPROUVEE)
        .order_by("-decidee_le", "-cree_le")
        .values("montant")[:1]
    )
    decision = (
        EvenementDossier.objects.filter(dossier=OuterRef("pk"), type="attribuer")
        .order_by("cree_le", "id")
        .values("cree_le")[:1]
    )
    dossiers = (
        Dossier.objects.filter(etat__in=ATTRIBUES)
        .exclude(tiers__type=TypeTiers.PARTICULIER)
        .annotate(montant_accorde=Subquery(montant), decide_le=Subquery(decision))
        .filter(montant_accorde__isnull=False, decide_le__isnull=False)
        .select_related("tiers", "dispositif")
        .order_by("decide_le", "id")
    )
    if not tous:
        dossiers = dossiers.filter(montant_accorde__gt=SEUIL_LEGAL)
    if annee:
        dossiers = dossiers.filter(decide_le__year=annee)
    if commission:
        from instruction.programmation.models import DecisionVote, PointOrdreDuJour

        adoptes = PointOrdreDuJour.objects.filter(
            commission_id=commission, decision=DecisionVote.ADOPTE
        ).values("dossier_id")
        dossiers = dossiers.filter(pk__in=adoptes)
    return dossiers


def _attribuant() -> tuple[str, str]:
    siret = getattr(settings, "MDNA_REGION_SIRET", "")
    if not SIRET.match(siret or ""):
        raise ExportImpossible(
            "Le SIRET de la Région (variable MDNA_REGION_SIRET, 14 chiffres) n'est pas configuré."
        )
    return settings.MDNA_REGION_NAME, siret


def ligne(dossier: Dossier, attribuant: tuple[str, str]) -> dict[str, str]:
    decide = timezone.localdate(dossier.decide_le)
    echelonne = len(dossier.dispositif.echeancier or []) > 1
    periode = decide.isoformat()
    if echelonne and dossier.date_fin and dossier.date_fin > decide:
        periode = f"{decide.isoformat()}/{dossier.date_fin.isoformat()}"
    siret = dossier.tiers.siret or dossier.siret
    return {
        "nomAttribuant": attribuant[0],
        "idAttribuant": attribuant[1],
        "dateConvention": decide.isoformat(),
        "referenceDecision": dossier.numero or "",
        "nomBeneficiaire": dossier.tiers.nom,
        "idBeneficiaire": siret if SIRET.match(siret or "") else "",
        "rnaBeneficiaire": dossier.tiers.rna if RNA.match(dossier.tiers.rna or "") else "",
        "objet": (dossier.titre or dossier.dispositif.nom)[:255],
        "montant": f"{dossier.montant_accorde:.2f}",
        "nature": "aide en numéraire",
        "conditionsVersement": "échelonné" if echelonne else "unique",
        "datesPeriodeVersement": periode,
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": dossier.dispositif.slug,
    }


def lignes(dossiers: Iterable[Dossier]) -> Iterator[dict[str, str]]:
    attribuant = _attribuant()
    for dossier in dossiers:
        yield ligne(dossier, attribuant)


def en_csv(rows: Iterable[dict[str, str]]) -> str:
    sortie = io.StringIO()
    writer = csv.DictWriter(sortie, fieldnames=COLONNES, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return sortie.getvalue()
