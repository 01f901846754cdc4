from django import forms
from django.utils import timezone

from instruction.programmation.models import Commission, Enveloppe
from instruction.programmation.selectors import dispositifs_visibles


class EnveloppeForm(forms.ModelForm):
    dispositifs = forms.ModelMultipleChoiceField(
        label="Dispositifs financés",
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Un dispositif ne puise que dans une enveloppe par exercice.",
    )

    class Meta:
        model = Enveloppe
        fields = ["exercice", "ligne_budgetaire", "libelle", "credits_votes"]
        labels = {"credits_votes": "Crédits votés (€)"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispositifs"].queryset = dispositifs_visibles(user).order_by("nom")
        self.fields["exercice"].initial = timezone.localdate().year


class CommissionForm(forms.ModelForm):
    class Meta:
        model = Commission
        fields = ["date", "libelle"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"libelle": "Intitulé de la séance"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["libelle"].initial = "Commission permanente"
