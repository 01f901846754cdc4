"""Read-only views of the payments data for administrators: every write goes through the
finance screens and their services (numbering, locks, audit)."""

from django.contrib import admin

from paiements.models import Bordereau, DemandeVersement, Engagement, Export, Mandat, TitreRecette


class LectureSeule(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Engagement)
class EngagementAdmin(LectureSeule):
    list_display = ("dossier", "montant", "exercice", "chapitre", "nature", "programme")
    search_fields = ("dossier__numero",)
    list_select_related = ("dossier",)


@admin.register(DemandeVersement)
class DemandeVersementAdmin(LectureSeule):
    list_display = ("dossier", "echeance", "statut", "montant_certifie", "deposee_le")
    list_filter = ("statut",)
    list_select_related = ("dossier", "echeance")


@admin.register(Mandat)
class MandatAdmin(LectureSeule):
    list_display = ("numero", "exercice", "tiers_nom", "montant", "statut", "bordereau")
    list_filter = ("exercice", "statut")
    search_fields = ("tiers_nom", "tiers_siret", "engagement__dossier__numero")
    list_select_related = ("bordereau",)


@admin.register(Bordereau)
class BordereauAdmin(LectureSeule):
    list_display = ("numero", "exercice", "type", "nombre_mandats", "montant_total")
    list_filter = ("exercice", "type")


@admin.register(Export)
class ExportAdmin(LectureSeule):
    list_display = ("pk", "format", "statut", "nom", "sha256", "cree_le")
    list_filter = ("format", "statut")


@admin.register(TitreRecette)
class TitreRecetteAdmin(LectureSeule):
    list_display = ("numero", "exercice", "engagement", "montant")
