"""Writes on users: every change goes through one of these named actions."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from mdna import audit
from mdna.models import AGENT_ROLES, Role, Service, User

EMAIL_VERIFICATION_SALT = "mdna.email-verification"


class EmailVerificationError(Exception):
    pass


def _send(template: str, *, to: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, "region": settings.MDNA_REGION_NAME, **context}
    subject = render_to_string(f"emails/{template}_sujet.txt", context).strip()
    body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_VERIFICATION_SALT)


def send_email_verification(*, user: User) -> None:
    link = settings.SITE_URL + reverse("verifier_email", args=[email_verification_token(user)])
    transaction.on_commit(
        lambda: _send("verification", to=user.email, context={"user": user, "lien": link})
    )


@transaction.atomic
def usager_inscrire(
    *, email: str, password: str, first_name: str, last_name: str, ip: str | None = None
) -> User:
    """An applicant signs up: the account stays inactive until the e-mail is confirmed."""
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=Role.USAGER,
        is_active=False,
    )
    audit.record(actor=user, action="compte.inscription", target=user, after={"email": user.email})
    send_email_verification(user=user)
    return user


@transaction.atomic
def email_verifier(*, token: str) -> User:
    try:
        data = signing.loads(
            token,
            salt=EMAIL_VERIFICATION_SALT,
            max_age=settings.MDNA_EMAIL_VERIFICATION_MAX_AGE,
        )
    except signing.SignatureExpired as exc:
        raise EmailVerificationError(
            "Ce lien a expiré. Demandez un nouveau lien de confirmation."
        ) from exc
    except signing.BadSignature as exc:
        raise EmailVerificationError("Ce lien n'est pas valide.") from exc
    user = User.objects.select_for_update().filter(pk=data["u"], email=data["e"]).first()
    if user is None:
        raise EmailVerificationError("Ce lien ne correspond à aucun compte.")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
        audit.record(actor=user, action="compte.email_verifie", target=user)
    return user


@transaction.atomic
def agent_creer(
    *,
    par: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    service: Service | None,
) -> User:
    """An administrator creates an agent account; the agent receives a link to set a password."""
    if not par.is_administrateur:
        raise PermissionError("Seul un administrateur crée les comptes des agents.")
    if role not in AGENT_ROLES and role != Role.CONSEILLER:
        raise ValueError("Ce rôle n'est pas un rôle d'agent.")
    if role in {Role.INSTRUCTEUR, Role.VALIDEUR} and service is None:
        raise ValueError("Un instructeur ou un valideur appartient à un service.")
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name,
        last_name=last_name,
        role=role,
        service=service,
        is_staff=role == Role.ADMINISTRATEUR,
        email_verified_at=timezone.now(),
    )
    audit.record(
        actor=par,
        action="compte.agent_cree",
        target=user,
        after={"email": user.email, "role": role, "service": service.code if service else None},
    )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
    transaction.on_commit(
        lambda: _send("invitation_agent", to=user.email, context={"user": user, "lien": link})
    )
    return user


@transaction.atomic
def utilisateur_modifier_role(*, par: User, user: User, role: str, service: Service | None) -> User:
    if not par.is_administrateur:
        raise PermissionError("Seul un administrateur change les rôles.")
    before = {"role": user.role, "service": user.service.code if user.service else None}
    user.role = role
    user.service = service
    user.is_staff = role == Role.ADMINISTRATEUR
    user.save(update_fields=["role", "service", "is_staff"])
    audit.record(
        actor=par,
        action="compte.role_modifie",
        target=user,
        before=before,
        after={"role": role, "service": service.code if service else None},
    )
    return user
