"""Demo data for the journeys (JOURNEYS.md): Claire's association with last year's dossier and
its safe, Karim's company, Léa, and a queue for Marc. Idempotent; never used in production."""

import io

from django.db import transaction

from dispositifs.depot import services as depot
from dispositifs.engine.exemples import valid_answers
from dispositifs.models import Dispositif, Dossier
from mdna.models import AccesConseiller, Adhesion, DocumentCoffre, Tiers, User

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
)


def _tiers(user: User, **values) -> Tiers:
    tiers, _ = Tiers.objects.get_or_create(
        siret=values.get("siret", ""), nom=values["nom"], defaults=values
    )
    Adhesion.objects.get_or_create(user=user, tiers=tiers, defaults={"role": "proprietaire"})
    return tiers


def _document(tiers: Tiers, type: str, nom: str) -> None:
    if DocumentCoffre.objects.filter(tiers=tiers, type=type).exists():
        return
    document = DocumentCoffre(tiers=tiers, type=type, nom=nom, taille=len(PDF))
    document.fichier.save(nom, io.BytesIO(PDF), save=False)
    document.save()


def _deposer(dispositif: Dispositif, tiers: Tiers, user: User, **answers) -> Dossier:
    dossier = depot.brouillon_creer(dispositif=dispositif, tiers=tiers, par=user)
    values = valid_answers(dossier.version.schema)
    values.update(demandeur_type=tiers.type, nom=tiers.nom, **answers)
    if tiers.siret:
        values["siret"] = tiers.siret
    depot.etape_enregistrer(dossier=dossier, par=user, etape="engagements", reponses=values)
    return depot.dossier_deposer(dossier=dossier, par=user)


@transaction.atomic
def donnees_demo() -> str:
    festivals = Dispositif.objects.filter(slug="soutien-aux-festivals").first()
    if festivals is None or Dossier.objects.exists():
        return ""
    claire = User.objects.get(email="claire@demo.mdna.fr")
    karim = User.objects.get(email="karim@demo.mdna.fr")
    lea = User.objects.get(email="lea@demo.mdna.fr")
    treteaux = _tiers(
        claire,
        type="association",
        nom="Les Tréteaux de la Creuse",
        siret="73282932000074",
        rna="W231000123",
        adresse={"ligne": "2 rue des Arts", "code_postal": "23000", "commune": "Guéret"},
        email="contact@treteaux.example",
        telephone="05 55 52 00 00",
        representant="Claire Vidal, trésorière",
        titulaire="Les Tréteaux de la Creuse",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    _document(treteaux, "statuts", "statuts-treteaux.pdf")
    _document(treteaux, "rib", "rib-treteaux.pdf")
    _deposer(festivals, treteaux, claire, titre="Festival des Tréteaux 2026")
    metallerie = _tiers(
        karim,
        type="entreprise",
        nom="Métallerie Benali",
        siret="12345678200010",
        adresse={"ligne": "ZA du Pont", "code_postal": "47000", "commune": "Agen"},
        email="contact@metallerie.example",
        telephone="05 53 00 00 00",
        representant="Karim Benali, gérant",
    )
    conseiller = User.objects.get(email="helene@demo.mdna.fr")
    AccesConseiller.objects.get_or_create(
        tiers=metallerie, conseiller=conseiller, defaults={"accorde_par": karim}
    )
    _tiers(lea, type="particulier", nom="Léa Martin", email="lea@demo.mdna.fr")
    # Marc's queue: other associations' festival requests.
    for index, nom in enumerate(["Rue des Arts", "Compagnie du Limousin", "Jazz en Corrèze"]):
        owner = User.objects.get_or_create(
            email=f"demandeur{index}@demo.mdna.fr",
            defaults={"first_name": nom, "email_verified_at": claire.email_verified_at},
        )[0]
        tiers = _tiers(owner, type="association", nom=nom, siret="", rna=f"W87200{index:04d}")
        _deposer(festivals, tiers, owner, titre=f"{nom} — édition 2027")
    from instruction.programmation.demo import donnees_demo_programmation

    donnees_demo_programmation()
    __import__("paiements.demo").demo.donnees_demo_paiements(deposer=_deposer)
    return f"{Dossier.objects.count()} dossiers déposés, 3 organisations de démonstration"
