"""The account page of personal API tokens: create one (its value shown once), revoke it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mdna import jetons
from mdna.models import JetonAPI, PorteeJeton


class JetonForm(forms.Form):
    nom = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Le logiciel qui l'utilisera, par exemple « Logiciel comptable ».",
    )
    portee = forms.ChoiceField(
        label="Ce que le jeton permet",
        choices=PorteeJeton.choices,
        initial=PorteeJeton.LECTURE,
        widget=forms.RadioSelect,
        help_text="Un jeton en lecture seule ne peut rien modifier. Dans tous les cas, il n'a "
        "jamais plus de droits que votre compte.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def jetons_api(request: HttpRequest) -> HttpResponse:
    form = JetonForm(request.POST or None)
    nouveau = None
    if request.method == "POST" and form.is_valid():
        jeton, valeur = jetons.jeton_creer(
            par=request.user, nom=form.cleaned_data["nom"], portee=form.cleaned_data["portee"]
        )
        nouveau = {"jeton": jeton, "valeur": valeur}
        form = JetonForm()
    liste = JetonAPI.objects.filter(user=request.user)
    response = render(
        request, "espace/jetons.html", {"form": form, "jetons": liste, "nouveau": nouveau}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def jeton_revoquer(request: HttpRequest, pk: int) -> HttpResponse:
    jeton = get_object_or_404(JetonAPI, pk=pk, user=request.user)
    jetons.jeton_revoquer(jeton=jeton, par=request.user)
    messages.success(request, f"Le jeton « {jeton.nom} » est révoqué : il ne fonctionne plus.")
    return redirect("espace:jetons")
