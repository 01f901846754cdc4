from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Template, TemplateSyntaxError
from django.urls import path, reverse
from django.utils.html import format_html

from editiques import services
from editiques.models import Document, LotDocuments, RenduEnEchec, Statut, TexteSurcharge


class LectureSeuleMixin:
    """Issued documents are never edited: the admin reads them and re-runs failed renders."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description="Relancer le rendu des documents sélectionnés")
def relancer(modeladmin, request, queryset):
    n = 0
    for document in queryset.filter(statut=Statut.ECHEC):
        services.document_relancer(document=document, par=request.user)
        n += 1
    modeladmin.message_user(request, f"{n} rendu(s) relancé(s).", messages.SUCCESS)


@admin.register(Document)
class DocumentAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["numero", "type", "statut", "version", "dossier", "tentatives", "demande_le"]
    list_filter = ["statut", "type"]
    list_select_related = ["dossier"]
    search_fields = ["numero", "cle_evenement", "dossier__numero"]
    date_hierarchy = "demande_le"
    actions = [relancer]
    exclude = ["donnees"]


@admin.register(RenduEnEchec)
class RenduEnEchecAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["numero", "type", "dossier", "tentatives", "erreur_courte", "demande_le"]
    list_filter = ["type"]
    list_select_related = ["dossier"]
    actions = [relancer]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(statut=Statut.ECHEC)

    def has_change_permission(self, request, obj=None):  # the action needs it
        return request.user.is_superuser or request.user.is_administrateur

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description="Erreur")
    def erreur_courte(self, obj):
        return obj.erreur[:200]


@admin.register(LotDocuments)
class LotDocumentsAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["libelle", "cree_par", "cree_le", "lien"]

    @admin.display(description="Avancement")
    def lien(self, obj):
        return format_html('<a href="{}">Voir</a>', reverse("editiques:lot", args=[obj.pk]))


class TexteSurchargeForm(forms.ModelForm):
    class Meta:
        model = TexteSurcharge
        fields = ["dispositif", "type", "introduction", "complement"]

    def _gabarit(self, champ):
        texte = self.cleaned_data.get(champ, "")
        try:
            Template(texte)
        except TemplateSyntaxError as error:
            raise forms.ValidationError(f"Texte invalide : {error}") from error
        return texte

    def clean_introduction(self):
        return self._gabarit("introduction")

    def clean_complement(self):
        return self._gabarit("complement")


@admin.register(TexteSurcharge)
class TexteSurchargeAdmin(admin.ModelAdmin):
    """Saving never edits a wording in place: it records a new version."""

    form = TexteSurchargeForm
    list_display = ["dispositif", "type", "version", "cree_par", "cree_le", "apercu"]
    list_filter = ["type"]
    list_select_related = ["dispositif", "cree_par"]
    search_fields = ["dispositif__nom"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        nouvelle = services.texte_surcharger(
            dispositif=form.cleaned_data["dispositif"],
            type=form.cleaned_data["type"],
            introduction=form.cleaned_data["introduction"],
            complement=form.cleaned_data["complement"],
            par=request.user,
        )
        obj.pk = nouvelle.pk
        obj.version = nouvelle.version

    def save_related(self, request, form, formsets, change):
        pass

    def log_change(self, request, obj, message):
        pass  # the service wrote the audit event

    def log_addition(self, request, obj, message):
        pass

    @admin.display(description="Aperçu")
    def apercu(self, obj):
        url = reverse("admin:editiques_textesurcharge_apercu", args=[obj.pk])
        return format_html('<a href="{}">Aperçu PDF (PROJET)</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/apercu/",
                self.admin_site.admin_view(self.vue_apercu),
                name="editiques_textesurcharge_apercu",
            ),
            *super().get_urls(),
        ]

    def vue_apercu(self, request, pk):
        surcharge = get_object_or_404(TexteSurcharge, pk=pk)
        pdf = services.apercu_surcharge(surcharge=surcharge, par=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="apercu-{surcharge.type}.pdf"'
        return response
