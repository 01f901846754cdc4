"""Demo accounts, one per role (idempotent). Refused in production unless --force."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from mdna.models import Role, Service, User

DEMO_PASSWORD = "demo-mdna-2026"

DEMO_SERVICES = [
    ("DCP", "Direction de la culture et du patrimoine", "Pôle éducation, citoyenneté, culture"),
    ("DEI", "Direction de l'économie et de l'industrie", "Pôle développement économique"),
]

DEMO_ACCOUNTS = [
    # email, first name, last name, role, service code
    ("claire@demo.mdna.fr", "Claire", "Vidal", Role.USAGER, None),
    ("karim@demo.mdna.fr", "Karim", "Benali", Role.USAGER, None),
    ("lea@demo.mdna.fr", "Léa", "Martin", Role.USAGER, None),
    ("marc@demo.mdna.fr", "Marc", "Dubreuil", Role.INSTRUCTEUR, "DCP"),
    ("sophie@demo.mdna.fr", "Sophie", "Lagarde", Role.VALIDEUR, "DCP"),
    ("jeanne@demo.mdna.fr", "Jeanne", "Marty", Role.VALIDEUR, "DCP"),  # commission secretary
    ("paul@demo.mdna.fr", "Paul", "Fontaine", Role.GESTIONNAIRE, None),
    ("helene@demo.mdna.fr", "Hélène", "Roux", Role.CONSEILLER, None),
    ("nadia@demo.mdna.fr", "Nadia", "Amrani", Role.ADMINISTRATEUR, None),
]


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (un par rôle) et les affiche."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Autoriser hors démonstration.")

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "seed_demo crée des comptes au mot de passe connu : refusé en production."
            )
        for code, nom, direction in DEMO_SERVICES:
            Service.objects.get_or_create(code=code, defaults={"nom": nom, "direction": direction})
        services = {s.code: s for s in Service.objects.all()}
        rows = []
        for email, first, last, role, service_code in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "service": services.get(service_code) if service_code else None,
                    "is_staff": role == Role.ADMINISTRATEUR,
                    "is_superuser": role == Role.ADMINISTRATEUR,
                    "email_verified_at": timezone.now(),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            rows.append((Role(role).label, email))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD})")
        for label, email in rows:
            self.stdout.write(f"  {label:<40} {email}")
        from mdna.demo import donnees_demo

        created = donnees_demo()
        if created:
            self.stdout.write(f"Données de démonstration : {created}")
