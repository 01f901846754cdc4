"""Reads shared by the HTML views and the API: which Tiers a person acts for."""

from django.db.models import QuerySet
from django.http import Http404

from mdna.models import Tiers, User


def tiers_de(user: User) -> QuerySet[Tiers]:
    """The Tiers (own person, organisations) the account acts for: its memberships."""
    if not user.is_authenticated:
        return Tiers.objects.none()
    return Tiers.objects.filter(adhesions__user=user)


def est_membre(user: User, tiers: Tiers) -> bool:
    return user.is_authenticated and tiers.adhesions.filter(user=user).exists()


def tiers_de_l_usager(user: User, pk: int) -> Tiers:
    """One of the person's Tiers, or 404 (never a 403 that would reveal it exists)."""
    tiers = tiers_de(user).filter(pk=pk).first()
    if tiers is None:
        raise Http404("Organisation introuvable.")
    return tiers
