"""Reads of programming: which envelopes an agent sees, the candidates of a simulation, the
budget check of an agenda or a scenario, the totals of the commission report."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from dispositifs.models import Dispositif, Dossier, Etat
from instruction.models import Proposition, StatutProposition
from instruction.programmation.models import (
    ZERO,
    Commission,
    Enveloppe,
    EnveloppeDispositif,
    PointOrdreDuJour,
    Simulation,
)
from instruction.selectors import perimetre
from mdna.models import Role, User

PROGRAMMATION_ROLES = (Role.INSTRUCTEUR, Role.VALIDEUR, Role.ADMINISTRATEUR)


def peut_programmer(user: User) -> bool:
    return user.is_authenticated and (user.role in PROGRAMMATION_ROLES or user.is_superuser)


def enveloppe_pour(dispositif_id: int, exercice: int) -> Enveloppe | None:
    lien = (
        EnveloppeDispositif.objects.filter(dispositif_id=dispositif_id, exercice=exercice)
        .select_related("enveloppe")
        .first()
    )
    return lien.enveloppe if lien else None


def dispositifs_visibles(user: User) -> QuerySet[Dispositif]:
    if user.is_administrateur:
        return Dispositif.objects.all()
    if user.role in (Role.INSTRUCTEUR, Role.VALIDEUR) and user.service_id:
        return Dispositif.objects.filter(service_id=user.service_id)
    return Dispositif.objects.none()


def enveloppes_visibles(user: User) -> QuerySet[Enveloppe]:
    if user.is_administrateur:
        return Enveloppe.objects.all()
    if not peut_programmer(user) or not user.service_id:
        return Enveloppe.objects.none()
    return Enveloppe.objects.filter(
        Exists(
            EnveloppeDispositif.objects.filter(
                enveloppe=OuterRef("pk"), dispositif__service_id=user.service_id
            )
        )
    )


def enveloppe_du_perimetre(user: User, pk: int) -> Enveloppe:
    enveloppe = enveloppes_visibles(user).filter(pk=pk).first()
    if enveloppe is None:
        raise Http404("Enveloppe introuvable.")
    return enveloppe


def simulation_du_perimetre(user: User, pk: int) -> Simulation:
    simulation = (
        Simulation.objects.filter(enveloppe__in=enveloppes_visibles(user), pk=pk)
        .select_related("enveloppe", "cree_par", "commission")
        .first()
    )
    if simulation is None:
        raise Http404("Scénario introuvable.")
    return simulation


def candidats(user: User, enveloppe: Enveloppe) -> QuerySet[Dossier]:
    """Dossiers a scenario may hold: proposed and approved by the valideur, imputed on this
    envelope (its proposed credits), in the agent's scope, not already on an open agenda."""
    from instruction.programmation.models import StatutImputation

    inscrit = PointOrdreDuJour.objects.filter(dossier=OuterRef("pk"), decision="")
    return (
        perimetre(user)
        .filter(
            etat=Etat.PROPOSE,
            imputation__enveloppe=enveloppe,
            imputation__statut=StatutImputation.PROPOSEE,
        )
        .exclude(Exists(inscrit))
        .select_related("dispositif")
        .defer("reponses", "dispositif__description")
        .order_by("dispositif__nom", "numero")
    )


def montants_proposes(dossiers) -> dict[int, Decimal]:
    return {
        p.dossier_id: p.montant
        for p in Proposition.objects.filter(
            dossier__in=dossiers, statut=StatutProposition.APPROUVEE
        ).only("dossier_id", "montant")
    }


def bilan_budgetaire(points, exercice: int, *, verrouiller: bool = False) -> list[dict]:
    """Per envelope: what these agenda points (or scenario lines) would grant against what is
    still available. `verrouiller` takes the envelopes' row locks (the vote)."""
    from instruction.programmation.models import Imputation

    dossier_ids = [p.dossier_id for p in points]
    par_dossier = dict(
        Imputation.objects.filter(dossier_id__in=dossier_ids, enveloppe__isnull=False).values_list(
            "dossier_id", "enveloppe_id"
        )
    )
    liens = dict(
        EnveloppeDispositif.objects.filter(
            exercice=exercice, dispositif_id__in={p.dossier.dispositif_id for p in points}
        ).values_list("dispositif_id", "enveloppe_id")
    )
    sommes: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for point in points:
        enveloppe_id = par_dossier.get(point.dossier_id) or liens.get(point.dossier.dispositif_id)
        sommes[enveloppe_id] += point.montant
    enveloppes = Enveloppe.objects.filter(pk__in=[k for k in sommes if k]).order_by("pk")
    if verrouiller:
        enveloppes = enveloppes.select_for_update()
    lignes = []
    for enveloppe in enveloppes:
        total = sommes[enveloppe.pk]
        lignes.append(
            {
                "pk": enveloppe.pk,
                "libelle": enveloppe.libelle,
                "enveloppe": enveloppe,
                "total": total,
                "disponible": enveloppe.disponible,
                "apres": enveloppe.disponible - total,
                "depassement": max(ZERO, total - enveloppe.disponible),
            }
        )
    if sommes.get(None):
        lignes.append(
            {
                "pk": None,
                "libelle": "Sans enveloppe pour cet exercice",
                "enveloppe": None,
                "total": sommes[None],
                "disponible": None,
                "apres": None,
                "depassement": ZERO,
            }
        )
    return lignes


def commissions_visibles(user: User) -> QuerySet[Commission]:
    if not peut_programmer(user):
        return Commission.objects.none()
    return Commission.objects.all()


def commission_visible(user: User, pk: int) -> Commission:
    commission = commissions_visibles(user).filter(pk=pk).select_related("votee_par").first()
    if commission is None:
        raise Http404("Commission introuvable.")
    return commission


def points_visibles(user: User, commission: Commission) -> QuerySet[PointOrdreDuJour]:
    """The agenda as this agent may see it (their scope only)."""
    return (
        commission.points.filter(dossier__in=perimetre(user))
        .select_related("dossier__dispositif")
        .order_by("dossier__dispositif__nom", "dossier__numero")
    )


def totaux_rapport(points, exercice: int) -> dict:
    """Totals of the report by scheme and by budget line."""
    liens = {
        lien.dispositif_id: lien.enveloppe
        for lien in EnveloppeDispositif.objects.filter(
            exercice=exercice, dispositif_id__in={p.dossier.dispositif_id for p in points}
        ).select_related("enveloppe")
    }
    par_dispositif: dict[str, list] = defaultdict(lambda: [0, ZERO])
    par_ligne: dict[str, list] = defaultdict(lambda: [0, ZERO])
    total = ZERO
    for point in points:
        enveloppe = liens.get(point.dossier.dispositif_id)
        ligne = (
            f"{enveloppe.ligne_budgetaire} — {enveloppe.libelle}" if enveloppe else "Hors enveloppe"
        )
        par_dispositif[point.dossier.dispositif.nom][0] += 1
        par_dispositif[point.dossier.dispositif.nom][1] += point.montant
        par_ligne[ligne][0] += 1
        par_ligne[ligne][1] += point.montant
        total += point.montant
    return {
        "par_dispositif": sorted(par_dispositif.items()),
        "par_ligne": sorted(par_ligne.items()),
        "total": total,
        "nombre": len(points),
    }
