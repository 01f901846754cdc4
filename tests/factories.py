import factory
from django.utils import timezone

from mdna.models import Service, User

PASSWORD = "mot-de-passe-de-test-2026"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"SRV{n}")
    nom = factory.LazyAttribute(lambda o: f"Service {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    role = "usager"
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    class Params:
        instructeur = factory.Trait(role="instructeur", service=factory.SubFactory(ServiceFactory))
        valideur = factory.Trait(role="valideur", service=factory.SubFactory(ServiceFactory))
        gestionnaire = factory.Trait(role="gestionnaire")
        administrateur = factory.Trait(role="administrateur", is_staff=True, is_superuser=True)


class DispositifFactory(factory.django.DjangoModelFactory):
    """A scheme configured like the Region's festival support (fonctionnement module)."""

    class Meta:
        model = "dispositifs.Dispositif"
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"dispositif-{n}")
    nom = factory.Sequence(lambda n: f"Soutien aux projets culturels {n}")
    resume = "Aide aux associations qui organisent des manifestations culturelles."
    description = "Le dispositif soutient les festivals et les saisons culturelles."
    thematique = "Culture"
    service = factory.SubFactory(ServiceFactory, code="DCP", nom="Direction de la culture")
    beneficiaires = factory.LazyFunction(lambda: ["association", "collectivite"])
    modules = factory.LazyFunction(lambda: ["fonctionnement"])
    taux = 50
    plafond = 30000
    echeancier = factory.LazyFunction(
        lambda: [
            {"libelle": "Avance", "pourcentage": 50, "declencheur": "signature"},
            {"libelle": "Solde", "pourcentage": 50, "declencheur": "rapport_final"},
        ]
    )
    imputation = factory.LazyFunction(
        lambda: {"chapitre": "65", "nature": "6574", "fonction": "311", "programme": "P311"}
    )

    @factory.post_generation
    def pieces(self, create, extracted, **kwargs):
        if not create:
            return
        from dispositifs.models import PieceDemandee

        for ordre, (code, libelle) in enumerate(
            extracted or [("statuts", "Statuts à jour"), ("rib", "RIB")]
        ):
            PieceDemandee.objects.create(dispositif=self, ordre=ordre, code=code, libelle=libelle)

    @factory.post_generation
    def publie(self, create, extracted, **kwargs):
        if create and extracted:
            from dispositifs.services import dispositif_publier

            dispositif_publier(dispositif=self, par=None)
            self.refresh_from_db()
