"""Throttling: per token (each partner system its own budget) or per account, and per IP for
anonymous requests. Imported by the REST framework settings: keep its imports light."""

from django.conf import settings
from rest_framework import throttling

from mdna.models import JetonAPI


class _Debit(throttling.SimpleRateThrottle):
    """Rates read from settings at each request (``MDNA_API_DEBITS``)."""

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self):
        return settings.MDNA_API_DEBITS[self.scope]


class DebitAnonyme(_Debit):
    scope = "anonyme"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class DebitUtilisateur(_Debit):
    """Per token when a token is used (each system its own budget), per account otherwise."""

    scope = "utilisateur"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        if isinstance(request.auth, JetonAPI):
            ident = f"jeton-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
