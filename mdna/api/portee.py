"""Who sees what through the API: the HTML views' selectors, never a copy of their rules."""

from django.db.models import QuerySet
from rest_framework import exceptions, permissions

from dispositifs.depot.selectors import dossiers_de_l_usager
from dispositifs.models import Dossier, EvenementDossier
from instruction.selectors import acces_back_office, perimetre
from mdna.models import JetonAPI, PorteeJeton, Role, User


def est_usager(user: User) -> bool:
    return user.is_authenticated and user.role == Role.USAGER


def dossiers_visibles(user: User) -> QuerySet[Dossier]:
    """An applicant: the dossiers of their Tiers. An agent or advisor: their back-office scope."""
    if est_usager(user):
        return dossiers_de_l_usager(user)
    if acces_back_office(user):
        return perimetre(user)
    return Dossier.objects.none()


def evenements_visibles(user: User) -> QuerySet[EvenementDossier]:
    """Changes of state of the visible dossiers (internal ones hidden from applicants)."""
    evenements = EvenementDossier.objects.exclude(etat_apres="").filter(
        dossier__in=dossiers_visibles(user)
    )
    if est_usager(user):
        evenements = evenements.filter(visible_usager=True)
    return evenements


def peut_voir_evenement(user: User, evenement: EvenementDossier) -> bool:
    return evenements_visibles(user).filter(pk=evenement.pk).exists()


class PorteeDuJeton(permissions.BasePermission):
    """A read-only token may only read."""

    message = "Ce jeton d'API est en lecture seule : créez un jeton « lecture et écriture »."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        jeton = request.auth
        return not isinstance(jeton, JetonAPI) or jeton.portee == PorteeJeton.ECRITURE


class EstUsager(permissions.BasePermission):
    message = "Ces adresses sont celles des demandeurs."

    def has_permission(self, request, view) -> bool:
        return est_usager(request.user)


class AccesBackOffice(permissions.BasePermission):
    message = "Ces adresses sont celles des agents de la Région."

    def has_permission(self, request, view) -> bool:
        return acces_back_office(request.user)


class Authentifie(permissions.IsAuthenticated):
    message = "Authentification requise : jeton d'API (Authorization: Bearer …) ou session."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            raise exceptions.NotAuthenticated(self.message)
        return True


PERMISSIONS_USAGER = [Authentifie, EstUsager, PorteeDuJeton]
PERMISSIONS_AGENT = [Authentifie, AccesBackOffice, PorteeDuJeton]
PERMISSIONS_CONNECTE = [Authentifie, PorteeDuJeton]
