"""Who sees which dossier in the back office (one implementation for HTML views and the API)."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dispositifs.models import Dossier, Etat
from mdna.models import AGENT_ROLES, Role, User

EN_COURS = (Etat.DEPOSE, Etat.INCOMPLET, Etat.EN_INSTRUCTION)
# Columns qualified with the table (a join may bring another "numero"); same expression as the
# GIN index of migration 0002, which PostgreSQL still matches.
# The stored search vector (dispositifs 0006, docs/decisions/0015): its GIN index finds a rare
# word; the queue-ordered index that covers it checks a frequent word without reading the rows.
RECHERCHE_SQL = "dispositifs_dossier.recherche @@ websearch_to_tsquery('french'::regconfig, %s)"


def delai_instruction() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "MDNA_DELAI_INSTRUCTION_JOURS", 60))


def acces_back_office(user: User) -> bool:
    """Who may open the back office (HTML and API): agents and economic advisors."""
    return user.is_authenticated and (user.role in AGENT_ROLES or user.role == Role.CONSEILLER)


def perimetre(user: User) -> QuerySet[Dossier]:
    """The dossiers an agent may see: their Service's (instructeur, valideur), all for an
    administrator, paid-side ones for finance, granted Tiers for an advisor. Never drafts."""
    dossiers = Dossier.objects.exclude(etat=Etat.BROUILLON)
    if not user.is_authenticated:
        return dossiers.none()
    if user.is_administrateur:
        return dossiers
    if user.role in (Role.INSTRUCTEUR, Role.VALIDEUR) and user.service_id:
        return dossiers.filter(dispositif__service_id=user.service_id)
    if user.role == Role.GESTIONNAIRE:
        return dossiers.filter(etat__in=[Etat.ATTRIBUE, Etat.EN_PAIEMENT, Etat.SOLDE, Etat.CADUC])
    if user.role == Role.CONSEILLER:
        return dossiers.filter(
            tiers__acces_conseillers__conseiller=user,
            tiers__acces_conseillers__revoque_le__isnull=True,
        )
    return dossiers.none()


def peut_agir(user: User, dossier: Dossier) -> bool:
    """Acting (not only reading) on a dossier: agents of its Service and administrators."""
    if user.is_administrateur:
        return True
    if user.role == Role.GESTIONNAIRE:
        return True
    return (
        user.role in (Role.INSTRUCTEUR, Role.VALIDEUR)
        and user.service_id == dossier.dispositif.service_id
    )


def dossier_du_perimetre(user: User, pk: int) -> Dossier:
    dossier = (
        perimetre(user)
        .select_related("dispositif__service", "version", "tiers", "instructeur", "demandeur")
        .filter(pk=pk)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable.")
    return dossier


def rechercher(queryset: QuerySet[Dossier], texte: str) -> QuerySet[Dossier]:
    texte = texte.strip()
    if not texte:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.extra(where=[RECHERCHE_SQL], params=[texte])  # noqa: S610 - uses the GIN index
    condition = Q()
    for word in texte.split():
        condition &= (
            Q(numero__icontains=word)
            | Q(titre__icontains=word)
            | Q(nom_demandeur__icontains=word)
            | Q(siret__icontains=word)
        )
    return queryset.filter(condition)


def en_retard(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    limite = timezone.now() - delai_instruction()
    return queryset.filter(etat__in=EN_COURS, depose_le__lt=limite)
