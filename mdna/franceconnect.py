"""FranceConnect as an optional OpenID Connect login for applicants (off unless configured).

A person who signs in with FranceConnect gets (or finds) an applicant account under the e-mail
address FranceConnect certifies; the address counts as verified."""

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from mdna import audit
from mdna.models import Role, User


class FranceConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip().lower()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims):
        user = User.objects.create_user(
            email=claims["email"].strip().lower(),
            password=None,
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
            role=Role.USAGER,
            email_verified_at=timezone.now(),
        )
        audit.record(actor=user, action="compte.inscription_franceconnect", target=user)
        return user

    def update_user(self, user, claims):
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        return user


def _actif() -> None:
    if not getattr(settings, "FRANCECONNECT_ACTIVE", False):
        raise Http404("FranceConnect n'est pas activé sur ce portail.")


def debut(request):
    _actif()
    return OIDCAuthenticationRequestView.as_view()(request)


def retour(request):
    _actif()
    return OIDCAuthenticationCallbackView.as_view()(request)
