"""Public pages of the catalogue: the Guide des aides, one fiche per scheme, the eligibility helper,
and the page that documents the catalogue API. Reads go through ``dispositifs.selectors``."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from rest_framework.settings import api_settings

from dispositifs import selectors
from dispositifs.engine.parsing import parse_decimal
from dispositifs.engine.tronc import BENEFICIAIRES
from dispositifs.territoires import departement as trouver_departement

GUIDE_PAR_PAGE = 20
DEPOT_URL = "/compte/demandes/nouvelle/{slug}/"  # the filing wizard (another issue)

QUI_EN_CLAIR = {
    "particulier": "Un particulier (étudiant, salarié, demandeur d'emploi…)",
    "entreprise": "Une entreprise",
    "association": "Une association",
    "collectivite": "Une collectivité territoriale (commune, intercommunalité, département…)",
    "etablissement_public": "Un établissement public (lycée, université, hôpital…)",
}


def _choix_departements(vide: str) -> list[tuple[str, str]]:
    return [("", vide)] + [(d.code, f"{d.nom} ({d.code})") for d in selectors.departements_region()]


class GuideForm(forms.Form):
    """The Guide's search form (GET): every field optional."""

    q = forms.CharField(
        label="Mots-clés",
        required=False,
        max_length=200,
        help_text="Par exemple : festival, apprentissage, rénovation énergétique.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    beneficiaire = forms.ChoiceField(
        label="Vous êtes",
        required=False,
        choices=[("", "Tous les publics")] + list(BENEFICIAIRES.items()),
    )
    thematique = forms.ChoiceField(label="Thématique", required=False)
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        choices=_choix_departements("Toute la Région"),
    )
    ouvert = forms.BooleanField(label="Seulement les aides ouvertes aujourd'hui", required=False)
    cloture_proche = forms.BooleanField(
        label=f"Seulement les appels à projets qui se terminent dans les "
        f"{selectors.JOURS_CLOTURE_PROCHE} jours",
        required=False,
    )

    def __init__(self, *args, thematiques: list[selectors.Thematique], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thematique"].choices = [("", "Toutes les thématiques")] + [
            (t.nom, f"{t.nom} ({t.nombre})") for t in thematiques
        ]

    def filtres(self) -> dict:
        """The valid filters (an invalid value is ignored, and its error shown)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "beneficiaire": data.get("beneficiaire") or "",
            "thematique": data.get("thematique") or "",
            "departement": data.get("departement") or "",
            "ouvert": bool(data.get("ouvert")),
            "cloture_proche": bool(data.get("cloture_proche")),
        }


class EligibiliteForm(forms.Form):
    """The four questions of the eligibility helper."""

    qui = forms.ChoiceField(
        label="Vous êtes…",
        choices=list(QUI_EN_CLAIR.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Dites-nous qui demande l'aide."},
    )
    departement = forms.ChoiceField(
        label="Où se situe votre projet ?",
        help_text="Le département où vous habitez, ou celui où le projet a lieu.",
        choices=_choix_departements("Choisissez un département"),
        error_messages={"required": "Choisissez le département de votre projet."},
    )
    projet = forms.ChoiceField(
        label="Quel est votre projet ?",
        choices=[(code, libelle) for code, (_, libelle) in selectors.PROJETS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le type de votre projet."},
    )
    montant = forms.CharField(
        label="Quel montant d'aide espérez-vous, environ ?",
        help_text="En euros, par exemple 2 400. Laissez vide si vous ne savez pas encore.",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_montant(self):
        texte = self.cleaned_data["montant"].strip()
        if not texte:
            return None
        montant = parse_decimal(texte)
        if montant is None or montant < 0:
            raise forms.ValidationError("Indiquez un montant en euros, par exemple 2 400.")
        return montant


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    form = GuideForm(request.GET, thematiques=selectors.thematiques())
    dispositifs = selectors.guide_dispositifs(**form.filtres())
    page = Paginator(dispositifs, GUIDE_PAR_PAGE).get_page(request.GET.get("page"))
    jour = timezone.localdate()
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "dispositifs/guide.html",
        {
            "form": form,
            "page": page,
            "resultats": [(d, selectors.statut_depot(d, jour)) for d in page.object_list],
            "parametres": parametres.urlencode(),
            "recherche": any(request.GET.get(name) for name in form.fields),
        },
    )


@require_GET
def fiche(request: HttpRequest, slug: str) -> HttpResponse:
    dispositif = get_object_or_404(selectors.fiches_dispositifs(), slug=slug)
    configuration = dispositif.version_courante.configuration
    statut = selectors.statut_depot(dispositif)
    departements = [
        (d.nom if (d := trouver_departement(code)) else code) for code in dispositif.departements
    ]
    return render(
        request,
        "dispositifs/fiche.html",
        {
            "dispositif": dispositif,
            "statut": statut,
            "depot_url": DEPOT_URL.format(slug=dispositif.slug) if statut.ouvert else "",
            "beneficiaires": [
                selectors.BENEFICIAIRES_PLURIEL.get(b, b).capitalize()
                for b in dispositif.beneficiaires
            ],
            "departements": departements,
            "modules": [
                selectors.MODULES_EN_CLAIR[m]
                for m in dispositif.modules
                if m in selectors.MODULES_EN_CLAIR
            ],
            "pieces": configuration.get("pieces") or [],
            "taux": _pourcentage(dispositif.taux),
            "ouverture": _date(dispositif.date_ouverture),
            "cloture": _date(dispositif.date_cloture),
        },
    )


def _date(jour) -> str:
    return selectors.date_en_clair(jour) if jour else ""


def _pourcentage(taux) -> str:
    if taux is None:
        return ""
    return f"{taux:f}".rstrip("0").rstrip(".").replace(".", ",") + "\u00a0%"


@require_GET
def eligibilite(request: HttpRequest) -> HttpResponse:
    repondu = any(name in request.GET for name in EligibiliteForm.base_fields)
    form = EligibiliteForm(request.GET if repondu else None)
    correspondances = None
    if form.is_bound and form.is_valid():
        correspondances = selectors.eligibilite(**form.cleaned_data)
    return render(
        request,
        "dispositifs/eligibilite.html",
        {"form": form, "correspondances": correspondances},
    )


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """A plain page documenting the catalogue API (no third-party script under our CSP)."""
    exemple = selectors.guide_dispositifs().values_list("slug", flat=True).first()
    return render(
        request,
        "dispositifs/api_docs.html",
        {
            "schema_url": reverse("schema"),
            "liste_url": reverse("catalogue_api:dispositif-list"),
            "exemple": exemple or "soutien-aux-festivals",
            "par_page": api_settings.PAGE_SIZE,
        },
    )
