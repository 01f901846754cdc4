"""Reads on the catalogue of schemes: the Guide des aides (search and filters), its thematiques,
the eligibility helper, and the querysets of the public fiche and of the catalogue API.

Every public read starts from ``Dispositif.objects.publies()``: a draft or closed scheme is
never shown. The HTML Guide and the API call the same functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, CharField, Count, F, Func, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format

from dispositifs.engine.parsing import format_euros
from dispositifs.engine.tronc import MODULES
from dispositifs.models import Dispositif, DispositifVersion, StatutDispositif, TypeFenetre
from dispositifs.territoires import NOUVELLE_AQUITAINE, departement, departements, normaliser

JOURS_CLOTURE_PROCHE = 7
CHAMPS_RECHERCHE = ("nom", "resume", "thematique", "description")

# What a list of schemes (Guide, API list, eligibility) reads: no description, no JSON config.
CHAMPS_LISTE = (
    "slug",
    "nom",
    "resume",
    "thematique",
    "statut",
    "beneficiaires",
    "modules",
    "departements",
    "fenetre_type",
    "date_ouverture",
    "date_cloture",
    "taux",
    "plancher",
    "plafond",
    "service__code",
    "service__nom",
)

BENEFICIAIRES_PLURIEL = {
    "particulier": "particuliers",
    "entreprise": "entreprises",
    "association": "associations",
    "collectivite": "collectivités territoriales",
    "etablissement_public": "établissements publics",
}

# The eligibility helper's "Quel projet ?" answers, each tied to the module that finances it.
PROJETS = {
    "investir": ("investissement", "Investir : travaux, équipement, bâtiment, véhicule"),
    "fonctionner": ("fonctionnement", "Faire fonctionner ma structure ou organiser une action"),
    "former": ("formation", "Me former, partir étudier ou en stage, recruter"),
    "entreprendre": ("economie", "Développer mon entreprise ou innover"),
}

# The modules in plain words: what the application form will ask.
MODULES_EN_CLAIR = {
    "investissement": "les travaux ou les équipements prévus, avec vos devis",
    "fonctionnement": "le budget de votre structure ou de votre action, le public visé et les "
    "moyens humains",
    "formation": "votre situation et la formation, le stage ou l'emploi concerné",
    "economie": "la taille de votre entreprise, les aides publiques déjà reçues et ce que votre "
    "projet a d'innovant",
}


def departements_region() -> list:
    """The départements of the Region (Nouvelle-Aquitaine: 12), by code."""
    return departements(region=NOUVELLE_AQUITAINE)


# --- Status of the application window ------------------------------------------------------------


@dataclass(frozen=True)
class StatutDepot:
    """Where a scheme's application window stands today, in words and as a tag tone."""

    code: str  # "ouvert" | "a_venir" | "ferme"
    texte: str
    ton: str  # etiquette.html tone
    phrase: str  # a full sentence for the fiche

    @property
    def ouvert(self) -> bool:
        return self.code == "ouvert"


def date_en_clair(jour: dt.date) -> str:
    """« 1er septembre 2026 », « 15 janvier 2027 »."""
    return date_format(jour, "j\\e\\r F Y" if jour.day == 1 else "j F Y")


def statut_depot(dispositif: Dispositif, jour: dt.date | None = None) -> StatutDepot:
    jour = jour or timezone.localdate()
    if dispositif.statut != StatutDispositif.PUBLIE:
        return StatutDepot("ferme", "Fermé", "neutre", "Le dépôt des demandes est fermé.")
    if dispositif.fenetre_type == TypeFenetre.PERMANENTE:
        return StatutDepot(
            "ouvert",
            "Ouvert",
            "succes",
            "Vous pouvez déposer votre demande à tout moment de l'année.",
        )
    ouverture, cloture = dispositif.date_ouverture, dispositif.date_cloture
    if ouverture is None or cloture is None:
        return StatutDepot("ferme", "Fermé", "neutre", "Le dépôt des demandes est fermé.")
    if jour < ouverture:
        return StatutDepot(
            "a_venir",
            f"Ouvre le {date_en_clair(ouverture)}",
            "info",
            f"Le dépôt des demandes ouvrira le {date_en_clair(ouverture)} et se terminera le "
            f"{date_en_clair(cloture)}.",
        )
    if jour <= cloture:
        proche = (cloture - jour).days <= JOURS_CLOTURE_PROCHE
        return StatutDepot(
            "ouvert",
            f"Clôture le {date_en_clair(cloture)}",
            "attention" if proche else "succes",
            f"Vous pouvez déposer votre demande jusqu'au {date_en_clair(cloture)} inclus.",
        )
    return StatutDepot(
        "ferme",
        "Fermé",
        "neutre",
        f"Cet appel à projets est clos depuis le {date_en_clair(cloture)}. "
        "Il peut être renouvelé : revenez consulter cette page.",
    )


# --- Filters -------------------------------------------------------------------------------------


def _liste_json_contient(champ: str, valeur: str) -> Q:
    """A JSON list column contains a code. PostgreSQL: jsonb ``@>`` (indexable). SQLite stores the
    JSON as text (``["association", "collectivite"]``): the quoted code is a safe substring since
    codes are plain words."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{champ}__contains": [valeur]})
    return Q(**{f"{champ}__icontains": f'"{valeur}"'})


def _sqlite_plier(texte):
    return normaliser(texte) if texte is not None else None


def _recherche(qs: QuerySet, q: str) -> QuerySet:
    """Full-text search on PostgreSQL (French stemming, ranked); on SQLite every word must appear,
    accents and case ignored, names first."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vecteur = (
            SearchVector("nom", weight="A", config="french")
            + SearchVector("resume", weight="B", config="french")
            + SearchVector("thematique", weight="B", config="french")
            + SearchVector("description", weight="C", config="french")
        )
        requete = SearchQuery(q, config="french", search_type="websearch")
        return (
            qs.annotate(document=vecteur, rang=SearchRank(vecteur, requete))
            .filter(document=requete)
            .order_by("-rang", "nom")
        )

    mots = normaliser(q).split()
    if not mots:
        return qs
    # A deterministic SQL function on this connection: the queryset is evaluated in the same
    # request, on the same connection.
    connection.ensure_connection()
    connection.connection.create_function("mdna_plier", 1, _sqlite_plier, deterministic=True)
    plies = {
        f"_pli_{champ}": Func(F(champ), function="mdna_plier", output_field=CharField())
        for champ in CHAMPS_RECHERCHE
    }
    qs = qs.annotate(**plies)
    for mot in mots:
        qs = qs.filter(
            Q(_pli_nom__contains=mot)
            | Q(_pli_resume__contains=mot)
            | Q(_pli_thematique__contains=mot)
            | Q(_pli_description__contains=mot)
        )
    dans_le_nom = Q()
    for mot in mots:
        dans_le_nom &= Q(_pli_nom__contains=mot)
    return qs.annotate(
        rang=Case(When(dans_le_nom, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-rang", "nom")


def guide_dispositifs(
    *,
    q: str = "",
    beneficiaire: str = "",
    thematique: str = "",
    departement: str = "",
    ouvert: bool = False,
    cloture_proche: bool = False,
    jour: dt.date | None = None,
) -> QuerySet[Dispositif]:
    """Published schemes matching the Guide's search and filters, best match first (else by name).

    ``departement``: schemes of the whole Region (no département listed) or listing this one.
    ``ouvert``: applications possible today. ``cloture_proche``: calls for projects open today
    and closing within 7 days.
    """
    jour = jour or timezone.localdate()
    qs = Dispositif.objects.publies().select_related("service").only(*CHAMPS_LISTE)
    if beneficiaire:
        qs = qs.filter(_liste_json_contient("beneficiaires", beneficiaire))
    if thematique:
        qs = qs.filter(thematique=thematique)
    if departement:
        qs = qs.filter(Q(departements=[]) | _liste_json_contient("departements", departement))
    if ouvert:
        qs = qs.ouverts(jour)
    if cloture_proche:
        qs = qs.filter(
            fenetre_type=TypeFenetre.APPEL,
            date_ouverture__lte=jour,
            date_cloture__gte=jour,
            date_cloture__lte=jour + dt.timedelta(days=JOURS_CLOTURE_PROCHE),
        )
    q = (q or "").strip()
    if q:
        qs = _recherche(qs, q)
    return qs


@dataclass(frozen=True)
class Thematique:
    nom: str
    nombre: int


def thematiques() -> list[Thematique]:
    """The thematiques of published schemes with how many schemes each, alphabetical (accents
    ignored)."""
    lignes = (
        Dispositif.objects.publies()
        .values("thematique")
        .annotate(nombre=Count("id"))
        .order_by("thematique")
    )
    return sorted(
        (Thematique(ligne["thematique"], ligne["nombre"]) for ligne in lignes),
        key=lambda t: normaliser(t.nom),
    )


# --- Eligibility helper --------------------------------------------------------------------------


@dataclass(frozen=True)
class Correspondance:
    """A scheme the eligibility helper proposes, with why it matches in plain words."""

    dispositif: Dispositif
    raisons: list[str]
    statut: StatutDepot


def eligibilite(
    *,
    qui: str,
    departement: str,
    projet: str,
    montant: Decimal | None = None,
    jour: dt.date | None = None,
) -> list[Correspondance]:
    """Schemes open to this kind of applicant, in this département, financing this kind of project
    (``projet`` is a key of PROJETS) and whose minimum aid is not above ``montant`` (the aid sought).
    Schemes open today come first, then those whose ceiling covers the amount."""
    jour = jour or timezone.localdate()
    module = PROJETS[projet][0]
    qs = guide_dispositifs(beneficiaire=qui, departement=departement, jour=jour).filter(
        _liste_json_contient("modules", module)
    )
    if montant is not None:
        qs = qs.filter(Q(plancher__isnull=True) | Q(plancher__lte=montant))
    dep = _departement(departement)
    correspondances = []
    for dispositif in qs:
        raisons = [
            f"Elle s'adresse aux {BENEFICIAIRES_PLURIEL.get(qui, qui)}.",
            "Elle concerne toute la Région."
            if not dispositif.departements
            else f"Elle concerne votre département ({dep}).",
            f"Elle finance les projets de ce type : {MODULES[module].lower()}.",
        ]
        raisons += _raisons_montant(dispositif, montant)
        correspondances.append(Correspondance(dispositif, raisons, statut_depot(dispositif, jour)))

    def ordre(c: Correspondance):
        plafond = c.dispositif.plafond
        depasse = montant is not None and plafond is not None and montant > plafond
        return (not c.statut.ouvert, depasse, normaliser(c.dispositif.nom))

    return sorted(correspondances, key=ordre)


def _departement(code: str) -> str:
    trouve = departement(code)
    return trouve.nom if trouve else code


def _raisons_montant(dispositif: Dispositif, montant: Decimal | None) -> list[str]:
    raisons = []
    plancher, plafond = dispositif.plancher, dispositif.plafond
    if montant is not None:
        if plafond is not None and montant > plafond:
            raisons.append(
                f"Attention : l'aide est plafonnée à {format_euros(plafond)}, moins que les "
                f"{format_euros(montant)} que vous envisagez."
            )
        elif plafond is not None or plancher is not None:
            bornes = []
            if plancher is not None:
                bornes.append(f"au moins {format_euros(plancher)}")
            if plafond is not None:
                bornes.append(f"au plus {format_euros(plafond)}")
            raisons.append(
                f"Votre montant ({format_euros(montant)}) entre dans ses limites : "
                f"{' et '.join(bornes)}."
            )
    elif plafond is not None:
        raisons.append(f"L'aide peut aller jusqu'à {format_euros(plafond)}.")
    if dispositif.taux is not None:
        taux = f"{dispositif.taux:f}".rstrip("0").rstrip(".").replace(".", ",")
        raisons.append(f"Elle finance au plus {taux} % des dépenses retenues.")
    return raisons


# --- Fiche and API detail ------------------------------------------------------------------------


def fiches_dispositifs(*, avec_formulaire: bool = False) -> QuerySet[Dispositif]:
    """Published schemes with their service and current version in one query. The composed form
    (the version's ``schema``) is loaded only when asked (the API, not the HTML fiche)."""
    qs = Dispositif.objects.publies().select_related("service", "version_courante")
    if not avec_formulaire:
        qs = qs.defer("version_courante__schema")
    return qs


def version_publiee(*, slug: str, numero: int) -> QuerySet[DispositifVersion]:
    """The version ``numero`` of a published scheme (filter it with ``.get()``/404)."""
    return DispositifVersion.objects.select_related("dispositif").filter(
        dispositif__in=Dispositif.objects.publies().filter(slug=slug), numero=numero
    )
