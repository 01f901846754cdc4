"""Configuring schemes without code: the administrator edits a scheme, its extra fields and its
pieces, previews the generated form as an applicant sees it, and publishes a version."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from dispositifs import services, territoires
from dispositifs.engine.compose import _compose, validate_config
from dispositifs.engine.forms import form_class
from dispositifs.engine.tronc import BENEFICIAIRES, MODULES
from dispositifs.models import (
    ChampSupplementaire,
    Dispositif,
    DispositifVersion,
    PieceDemandee,
    StatutDispositif,
)


class ChampSupplementaireInline(admin.StackedInline):
    model = ChampSupplementaire
    extra = 0
    fields = [
        ("ordre", "cle", "type", "obligatoire"),
        "libelle",
        "aide",
        "choix",
        ("minimum", "maximum"),
        ("condition_champ", "condition_valeur"),
    ]


class PieceDemandeeInline(admin.TabularInline):
    model = PieceDemandee
    extra = 0
    fields = ["ordre", "code", "libelle", "aide", "obligatoire"]


class DispositifForm(forms.ModelForm):
    beneficiaires = forms.MultipleChoiceField(
        label="Bénéficiaires",
        choices=list(BENEFICIAIRES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    modules = forms.MultipleChoiceField(
        label="Modules thématiques",
        choices=list(MODULES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    departements = forms.MultipleChoiceField(
        label="Départements",
        help_text="Aucun coché : toute la Région.",
        choices=[
            (d.code, f"{d.code} — {d.nom}")
            for d in territoires.departements(territoires.NOUVELLE_AQUITAINE)
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Dispositif
        fields = [
            "nom",
            "slug",
            "resume",
            "description",
            "thematique",
            "service",
            "beneficiaires",
            "departements",
            "modules",
            "fenetre_type",
            "date_ouverture",
            "date_cloture",
            "taux",
            "plancher",
            "plafond",
            "echeancier",
            "imputation",
            "modeles_courrier",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            probe = Dispositif(**{k: v for k, v in cleaned.items() if k in _SCALARS})
            config = probe.configuration(champs=[], pieces=[])
            for error in validate_config(config):
                self.add_error(None, error)
        return cleaned


_SCALARS = {
    "slug",
    "nom",
    "beneficiaires",
    "modules",
    "departements",
    "fenetre_type",
    "date_ouverture",
    "date_cloture",
    "taux",
    "plancher",
    "plafond",
    "echeancier",
    "imputation",
}


@admin.register(Dispositif)
class DispositifAdmin(admin.ModelAdmin):
    form = DispositifForm
    list_display = [
        "nom",
        "statut",
        "thematique",
        "service",
        "fenetre_type",
        "date_cloture",
        "version",
    ]
    list_filter = ["statut", "fenetre_type", "service", "thematique"]
    list_select_related = ["service", "version_courante"]
    search_fields = ["nom", "slug", "resume"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [ChampSupplementaireInline, PieceDemandeeInline]
    actions = ["action_publier", "action_fermer"]
    change_form_template = "admin/dispositifs/dispositif/change_form.html"
    fieldsets = [
        (None, {"fields": ["nom", "slug", "resume", "description", "thematique", "service"]}),
        ("Qui peut demander", {"fields": ["beneficiaires", "departements"]}),
        ("Formulaire", {"fields": ["modules"]}),
        ("Fenêtre de dépôt", {"fields": ["fenetre_type", "date_ouverture", "date_cloture"]}),
        ("Règle de financement", {"fields": ["taux", "plancher", "plafond"]}),
        ("Paiement et budget", {"fields": ["echeancier", "imputation", "modeles_courrier"]}),
    ]

    @admin.display(description="Version publiée")
    def version(self, obj: Dispositif) -> str:
        return str(obj.version_courante.numero) if obj.version_courante else "—"

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/apercu/",
                self.admin_site.admin_view(self.apercu),
                name="dispositif_apercu",
            ),
            path(
                "<int:pk>/publier/",
                self.admin_site.admin_view(self.publier),
                name="dispositif_publier",
            ),
            path(
                "<int:pk>/dupliquer/",
                self.admin_site.admin_view(self.dupliquer),
                name="dispositif_dupliquer",
            ),
        ]
        return urls + super().get_urls()

    def _get(self, request: HttpRequest, pk: int) -> Dispositif:
        dispositif = get_object_or_404(Dispositif.objects.select_related("service"), pk=pk)
        if not self.has_change_permission(request, dispositif):
            raise PermissionDenied
        return dispositif

    def apercu(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The generated form, as an applicant will see it, from the draft configuration."""
        dispositif = self._get(request, pk)
        config = dispositif.configuration()
        errors = validate_config(config)
        steps = []
        if not errors:
            schema = _compose(config)
            for step in schema["steps"]:
                steps.append(
                    {"step": step, "form": form_class(schema, step["key"])(prefix=step["key"])}
                )
        return render(
            request,
            "dispositifs/apercu.html",
            {"dispositif": dispositif, "erreurs": errors, "etapes": steps},
        )

    def publier(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispositif = self._get(request, pk)
        if request.method != "POST":
            return redirect(reverse("admin:dispositifs_dispositif_change", args=[pk]))
        try:
            version = services.dispositif_publier(dispositif=dispositif, par=request.user)
        except services.PublicationRefusee as refus:
            for error in refus.errors:
                messages.error(request, error)
        else:
            messages.success(
                request, f"Version {version.numero} publiée : le dispositif est en ligne."
            )
        return redirect(reverse("admin:dispositifs_dispositif_change", args=[pk]))

    def dupliquer(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispositif = self._get(request, pk)
        if request.method != "POST":
            return redirect(reverse("admin:dispositifs_dispositif_change", args=[pk]))
        nom = request.POST.get("nom", "").strip() or f"{dispositif.nom} (copie)"
        copie = services.dispositif_dupliquer(dispositif=dispositif, par=request.user, nom=nom)
        messages.success(
            request, f"« {copie.nom} » créé en brouillon : ajustez-le puis publiez-le."
        )
        return redirect(reverse("admin:dispositifs_dispositif_change", args=[copie.pk]))

    @admin.action(description="Publier les dispositifs sélectionnés")
    def action_publier(self, request, queryset):
        for dispositif in queryset:
            try:
                version = services.dispositif_publier(dispositif=dispositif, par=request.user)
            except services.PublicationRefusee as refus:
                messages.error(request, f"{dispositif} : {refus}")
            else:
                messages.success(request, f"{dispositif} : version {version.numero} publiée.")

    @admin.action(description="Fermer les dispositifs sélectionnés")
    def action_fermer(self, request, queryset):
        for dispositif in queryset.exclude(statut=StatutDispositif.FERME):
            services.dispositif_fermer(dispositif=dispositif, par=request.user)
        messages.success(request, "Dispositifs fermés.")


@admin.register(DispositifVersion)
class DispositifVersionAdmin(admin.ModelAdmin):
    list_display = ["dispositif", "numero", "publiee_le", "publiee_par", "empreinte"]
    list_select_related = ["dispositif", "publiee_par"]
    search_fields = ["dispositif__nom"]
    readonly_fields = [
        "dispositif",
        "numero",
        "publiee_le",
        "publiee_par",
        "empreinte",
        "apercu_schema",
    ]
    exclude = ["schema", "configuration"]

    @admin.display(description="Étapes")
    def apercu_schema(self, obj):
        items = format_html_join(
            "",
            "<li>{} ({} champs)</li>",
            ((s["title"], len(s["fields"])) for s in obj.schema["steps"]),
        )
        return format_html("<ol>{}</ol>", items)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
