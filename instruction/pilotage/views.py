"""The steering dashboard (/pilotage/): overall (the agent's scope) and per scheme, with
server-rendered SVG charts next to their data tables, and a CSV export."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from instruction.pilotage import selectors
from instruction.selectors import delai_instruction

HAUTEUR_BARRE = 28


def pilotage_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not selectors.peut_piloter(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def graphique(valeurs: list[tuple[str, Decimal | int]]) -> dict:
    """Bars for an SVG chart: label, value, width in % of the largest, y position."""
    maximum = max([v for _, v in valeurs] + [1])
    barres = [
        {
            "libelle": libelle,
            "valeur": valeur,
            "largeur": round(Decimal(valeur) * 100 / Decimal(maximum), 1) if valeur else 0,
            "y": index * HAUTEUR_BARRE,
            "y_texte": index * HAUTEUR_BARRE + 18,
        }
        for index, (libelle, valeur) in enumerate(valeurs)
    ]
    return {"barres": barres, "hauteur": max(1, len(barres)) * HAUTEUR_BARRE}


def _context(request: HttpRequest, dispositif=None) -> dict:
    donnees = selectors.tableau(request.user, dispositif)
    total = donnees["total"]
    return {
        **donnees,
        "dispositif": dispositif,
        "graphique_etats": graphique([(str(label), n) for _, label, n in donnees["etats"]]),
        "graphique_montants": graphique(
            [
                ("Demandé", total.demande),
                ("Proposé", total.propose),
                ("Attribué", total.attribue),
                ("Versé", total.verse),
            ]
        ),
        "delai": delai_instruction().days,
    }


@pilotage_required
def tableau(request: HttpRequest) -> HttpResponse:
    return render(request, "pilotage/tableau.html", _context(request))


@pilotage_required
def dispositif(request: HttpRequest, pk: int) -> HttpResponse:
    dispositif = selectors.dispositif_pilotable(request.user, pk)
    return render(request, "pilotage/tableau.html", _context(request, dispositif))


@pilotage_required
def export(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    dispositif = selectors.dispositif_pilotable(request.user, pk) if pk else None
    donnees = selectors.tableau(request.user, dispositif)
    nom = f"pilotage-{dispositif.slug if dispositif else 'ensemble'}-{timezone.localdate()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in selectors.lignes_csv(donnees):
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal) else v for v in row])
    return response
