"""Reads of the payments screens (finance staff see every Service; applicants their Tiers)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from dispositifs.models import Dossier, Etat
from paiements.models import (
    DEMANDE_ACTIVES,
    ZERO,
    Bordereau,
    DemandeVersement,
    Engagement,
    Export,
    Mandat,
    StatutDemande,
    StatutMandat,
)


def dossiers_sans_engagement() -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(etat=Etat.ATTRIBUE)
        .exclude(Exists(Engagement.objects.filter(dossier=OuterRef("pk"))))
        .select_related("dispositif", "tiers")
        .order_by("modifie_le")
    )


def demandes_a_liquider() -> QuerySet[DemandeVersement]:
    return (
        DemandeVersement.objects.filter(statut=StatutDemande.CERTIFIEE)
        .select_related("echeance", "dossier__tiers", "dossier__dispositif")
        .order_by("certifiee_le")
    )


def mandats_sans_bordereau() -> QuerySet[Mandat]:
    return (
        Mandat.objects.filter(bordereau__isnull=True)
        .select_related("engagement__dossier", "origine")
        .order_by("exercice", "numero")
    )


def mandats_a_grouper() -> list[Mandat]:
    """« Tout grouper »: every ordinary mandate waiting for a bordereau, of the oldest exercice
    (a bordereau never mixes exercices)."""
    attente = mandats_sans_bordereau().filter(origine__isnull=True)
    premier = attente.first()
    return list(attente.filter(exercice=premier.exercice)) if premier else []


def caducites_a_constater() -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        caducite_signalee_le__isnull=False, dossier__etat=Etat.ATTRIBUE
    ).select_related("dossier__tiers")


def bordereaux() -> QuerySet[Bordereau]:
    return Bordereau.objects.order_by("-exercice", "-numero").annotate(
        payes=Count("mandats", filter=Q(mandats__statut=StatutMandat.PAYE))
    )


def exports() -> QuerySet[Export]:
    return Export.objects.select_related("cree_par").prefetch_related("bordereaux")


def versements_du_dossier(dossier: Dossier) -> dict:
    engagement = Engagement.objects.filter(dossier=dossier).first()
    if engagement is None:
        return {"engagement": None, "echeances": [], "demandes": [], "verse": None}
    demandes = list(
        DemandeVersement.objects.filter(dossier=dossier)
        .select_related("echeance")
        .prefetch_related("justificatifs")
    )
    echeances = list(engagement.echeances.all())
    actives = {(d.echeance_id, d.reouverture) for d in demandes if d.statut in DEMANDE_ACTIVES}
    from paiements.services import montant_demandable

    ouvert = dossier.etat in (Etat.ATTRIBUE, Etat.EN_PAIEMENT)
    for echeance in echeances:
        echeance.montant_demandable = (
            montant_demandable(echeance)
            if ouvert and (echeance.pk, echeance.reouvertures) not in actives
            else ZERO
        )
        echeance.demandable = echeance.montant_demandable > 0
    verse = Mandat.objects.filter(
        engagement=engagement, statut=StatutMandat.PAYE, origine__isnull=True
    ).aggregate(t=Sum("montant"))["t"]
    return {"engagement": engagement, "echeances": echeances, "demandes": demandes, "verse": verse}
