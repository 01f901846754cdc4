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
