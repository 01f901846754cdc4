"""The work queue's filters (shared by the HTML queue and the API)."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone

from dispositifs import territoires
from dispositifs.models import Dispositif, Dossier, Etat
from instruction import selectors
from mdna.models import Role, User

TRIS = {
    "depose_le": ("depose_le", "id"),
    "-depose_le": ("-depose_le", "-id"),
    "montant": ("montant_demande", "id"),
    "-montant": ("-montant_demande", "-id"),
    "numero": ("numero",),
    "-numero": ("-numero",),
    # Within a state, the oldest filing first: the dossier that has waited longest.
    "etat": ("etat", "depose_le", "id"),
    "-etat": ("-etat", "-depose_le", "-id"),
}


class FileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher",
        method="filtre_recherche",
        help_text="Numéro, titre, demandeur ou SIRET.",
    )
    dispositif = django_filters.ModelChoiceFilter(
        label="Dispositif", queryset=Dispositif.objects.none(), empty_label="Tous"
    )
    etat = django_filters.MultipleChoiceFilter(
        label="État",
        choices=[(e.value, e.label) for e in Etat if e != Etat.BROUILLON],
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a column of the dossier: no join, no duplicate (DISTINCT is costly)
    )
    instructeur = django_filters.ModelChoiceFilter(
        label="Instructeur", queryset=User.objects.none(), empty_label="Tous"
    )
    mes_dossiers = django_filters.BooleanFilter(
        label="Mes dossiers seulement", method="filtre_mes_dossiers", widget=forms.CheckboxInput
    )
    departement = django_filters.ChoiceFilter(
        label="Département",
        choices=[
            (d.code, f"{d.code} — {d.nom}")
            for d in territoires.departements(territoires.NOUVELLE_AQUITAINE)
        ],
        empty_label="Tous",
    )
    montant_min = django_filters.NumberFilter(
        label="Montant demandé minimum (€)", field_name="montant_demande", lookup_expr="gte"
    )
    montant_max = django_filters.NumberFilter(
        label="Montant demandé maximum (€)", field_name="montant_demande", lookup_expr="lte"
    )
    depose_du = django_filters.DateFilter(
        label="Déposé à partir du",
        method="filtre_depose_du",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    depose_au = django_filters.DateFilter(
        label="Déposé jusqu'au",
        method="filtre_depose_au",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    en_retard = django_filters.BooleanFilter(
        label="En retard seulement", method="filtre_retard", widget=forms.CheckboxInput
    )
    tri = django_filters.ChoiceFilter(
        label="Trier par",
        method="filtre_tri",
        empty_label=None,
        choices=[
            ("-depose_le", "Dépôt le plus récent"),
            ("depose_le", "Dépôt le plus ancien"),
            ("-montant", "Montant décroissant"),
            ("montant", "Montant croissant"),
            ("numero", "Numéro"),
            ("etat", "État"),
        ],
    )

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        dispositifs = Dispositif.objects.only("id", "nom").order_by("nom")
        agents = User.objects.filter(role__in=[Role.INSTRUCTEUR, Role.VALIDEUR]).order_by(
            "last_name"
        )
        if not user.is_administrateur and user.service_id:
            dispositifs = dispositifs.filter(service_id=user.service_id)
            agents = agents.filter(service_id=user.service_id)
        self.filters["dispositif"].queryset = dispositifs
        self.filters["instructeur"].queryset = agents

    def filtre_recherche(self, queryset, name, value):
        return selectors.rechercher(queryset, value)

    def filtre_mes_dossiers(self, queryset, name, value):
        return queryset.filter(instructeur=self.user) if value else queryset

    # Bounds as instants (local midnight), not ``depose_le::date``, so the index on the filing
    # date serves.
    def filtre_depose_du(self, queryset, name, value):
        return queryset.filter(depose_le__gte=_minuit(value))

    def filtre_depose_au(self, queryset, name, value):
        return queryset.filter(depose_le__lt=_minuit(value + dt.timedelta(days=1)))

    def filtre_retard(self, queryset, name, value):
        return selectors.en_retard(queryset) if value else queryset

    def filtre_tri(self, queryset, name, value):
        return queryset.order_by(*TRIS.get(value, TRIS["-depose_le"]))

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("tri"):
            queryset = queryset.order_by("-depose_le", "-id")
        return queryset


def _minuit(jour: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(jour, dt.time.min))


def jours_depuis(dossier: Dossier) -> int | None:
    return (timezone.now() - dossier.depose_le).days if dossier.depose_le else None
