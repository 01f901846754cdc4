"""Reads for the applicant: only the dossiers of the Tiers the person acts for (404 otherwise)."""

from django.http import Http404

from dispositifs.engine.fields import Spec, get_type
from dispositifs.engine.forms import condition_holds
from dispositifs.models import Dispositif, Dossier
from mdna.models import Tiers, User


def dossiers_de_l_usager(user: User):
    """The dossiers of the Tiers the person acts for (HTML views and API alike)."""
    from mdna.selectors import tiers_de

    return Dossier.objects.filter(tiers__in=tiers_de(user))


def dossier_de_l_usager(user: User, pk: int) -> Dossier:
    dossier = (
        dossiers_de_l_usager(user)
        .select_related("dispositif", "version", "tiers", "dispositif__service")
        .filter(pk=pk)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable.")
    return dossier


def brouillon_de(user: User, pk: int) -> Dossier:
    return dossier_de_l_usager(user, pk)


def tiers_eligibles(user: User, dispositif: Dispositif) -> list[tuple[Tiers, bool]]:
    """The Tiers the person acts for, each with whether the scheme is open to its type."""
    beneficiaires = set(dispositif.beneficiaires)
    from mdna.selectors import tiers_de

    return [(t, t.type in beneficiaires) for t in tiers_de(user).order_by("nom")]


def recapitulatif(schema: dict, answers: dict) -> list[dict]:
    """The answers step by step, as read-only label/value pairs (hidden fields left out)."""
    from dispositifs.engine import formulas

    sections = []
    regle = schema.get("regle") or {}
    for step in schema["steps"]:
        rows = []
        for field in step["fields"]:
            if field["type"] == "info" or not condition_holds(field.get("condition"), answers):
                continue
            value = answers.get(field["key"])
            if field["type"] == "computed":
                try:
                    value = formulas.compute(field["formula"], answers, regle)
                except (ArithmeticError, TypeError, ValueError):
                    value = None
            row = {
                "label": field["label"],
                "value": get_type(field["type"]).display(value, Spec(field)),
            }
            if field["type"] == "table":
                row["table"] = {
                    "columns": [c["label"] for c in field["columns"]],
                    "rows": [
                        [
                            get_type(c["type"]).display(r.get(c["key"]), Spec(c))
                            for c in field["columns"]
                        ]
                        for r in value or []
                    ],
                }
            rows.append(row)
        sections.append({"key": step["key"], "title": step["title"], "rows": rows})
    return sections
