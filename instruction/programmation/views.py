"""Envelopes, simulations and commission sessions (/instruction/…). Thin views: writes through
instruction.programmation.services, reads through its selectors (scope → 404)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from dispositifs.engine.parsing import parse_decimal
from instruction import selectors as instruction_selectors
from instruction.programmation import selectors, services
from instruction.programmation.forms import CommissionForm, EnveloppeForm
from instruction.programmation.models import (
    Commission,
    DecisionVote,
    PointOrdreDuJour,
    Simulation,
    StatutCommission,
)
from instruction.services import ActionRefusee
from mdna.models import Role


def programmation_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not selectors.peut_programmer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _est_valideur(user) -> bool:
    return user.role in (Role.VALIDEUR, Role.ADMINISTRATEUR) or user.is_superuser


@programmation_required
def enveloppes(request: HttpRequest) -> HttpResponse:
    form = EnveloppeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enveloppe = services.enveloppe_enregistrer(
                par=request.user,
                dispositifs=list(form.cleaned_data["dispositifs"]),
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
            )
        except ActionRefusee as error:
            form.add_error(None, str(error))
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, f"Enveloppe « {enveloppe.libelle} » créée.")
            return redirect("instruction:enveloppe", pk=enveloppe.pk)
    liste = selectors.enveloppes_visibles(request.user).annotate(nb_dispositifs=Count("liens"))
    return render(
        request,
        "instruction/enveloppes.html",
        {"enveloppes": liste, "form": form, "est_valideur": _est_valideur(request.user)},
        status=400 if form.errors else 200,
    )


@programmation_required
def enveloppe(request: HttpRequest, pk: int) -> HttpResponse:
    enveloppe = selectors.enveloppe_du_perimetre(request.user, pk)
    candidats = list(selectors.candidats(request.user, enveloppe))
    montants = selectors.montants_proposes(candidats)
    for dossier in candidats:
        dossier.montant_propose = montants.get(dossier.pk)
    simulations = enveloppe.simulations.select_related("cree_par", "commission").annotate(
        nombre=Count("lignes"), total=Sum("lignes__montant")
    )
    return render(
        request,
        "instruction/enveloppe.html",
        {
            "enveloppe": enveloppe,
            "dispositifs": enveloppe.dispositifs.order_by("nom"),
            "candidats": candidats,
            "simulations": simulations,
            "saisie": request.POST,
        },
    )


@programmation_required
@require_POST
def simulation_creer(request: HttpRequest, pk: int) -> HttpResponse:
    enveloppe = selectors.enveloppe_du_perimetre(request.user, pk)
    ids = {int(i) for i in request.POST.getlist("dossiers") if i.isdigit()}
    dossiers = {d.pk: d for d in selectors.candidats(request.user, enveloppe).filter(pk__in=ids)}
    lignes, erreur = [], ""
    for dossier_id in sorted(ids):
        dossier = dossiers.get(dossier_id)
        if dossier is None:
            raise Http404
        montant = parse_decimal(request.POST.get(f"montant-{dossier_id}", ""))
        if montant is None:
            erreur = f"Saisissez un montant pour {dossier.numero}, par exemple 7 000."
            break
        lignes.append((dossier, montant))
    if not erreur:
        try:
            simulation = services.simulation_creer(
                par=request.user,
                enveloppe=enveloppe,
                nom=request.POST.get("nom", ""),
                lignes=lignes,
                commentaire=request.POST.get("commentaire", ""),
            )
        except ActionRefusee as error:
            erreur = str(error)
        else:
            messages.success(
                request,
                f"Scénario « {simulation.nom} » enregistré. Aucun dossier n'a été modifié.",
            )
            return redirect("instruction:simulation", pk=simulation.pk)
    messages.error(request, erreur)
    return redirect("instruction:enveloppe", pk=enveloppe.pk)


def _simulation_context(simulation: Simulation) -> dict:
    lignes = list(simulation.lignes.select_related("dossier__dispositif"))
    bilan = selectors.bilan_budgetaire(lignes, simulation.enveloppe.exercice)
    total = sum((ligne.montant for ligne in lignes), start=selectors.ZERO)
    enveloppe = simulation.enveloppe
    return {
        "simulation": simulation,
        "lignes": lignes,
        "bilan": bilan,
        "total": total,
        "restant_apres": enveloppe.disponible - total,
        "depasse": total > enveloppe.disponible,
        "totaux": selectors.totaux_rapport(lignes, enveloppe.exercice),
    }


@programmation_required
def simulation(request: HttpRequest, pk: int) -> HttpResponse:
    simulation = selectors.simulation_du_perimetre(request.user, pk)
    commissions = Commission.objects.filter(statut=StatutCommission.PREPARATION).order_by("date")
    return render(
        request,
        "instruction/simulation.html",
        {
            **_simulation_context(simulation),
            "commissions": commissions,
            "est_valideur": _est_valideur(request.user),
        },
    )


@programmation_required
def simulations_comparer(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.GET.getlist("s") if i.isdigit()][:4]
    scenarios = [
        _simulation_context(selectors.simulation_du_perimetre(request.user, pk)) for pk in ids
    ]
    if len(scenarios) < 2:
        messages.error(request, "Cochez au moins deux scénarios à comparer.")
        return redirect("instruction:enveloppes")
    dossiers = {}
    for index, scenario in enumerate(scenarios):
        for ligne in scenario["lignes"]:
            entry = dossiers.setdefault(
                ligne.dossier_id, {"dossier": ligne.dossier, "montants": [None] * len(scenarios)}
            )
            entry["montants"][index] = ligne.montant
    return render(
        request,
        "instruction/simulations_comparer.html",
        {
            "scenarios": scenarios,
            "dossiers": sorted(dossiers.values(), key=lambda e: e["dossier"].numero or ""),
        },
    )


@programmation_required
@require_POST
def simulation_vers_ordre_du_jour(request: HttpRequest, pk: int) -> HttpResponse:
    simulation = selectors.simulation_du_perimetre(request.user, pk)
    commission = get_object_or_404(Commission, pk=request.POST.get("commission") or 0)
    try:
        count = services.simulation_vers_ordre_du_jour(
            simulation=simulation, commission=commission, par=request.user
        )
    except ActionRefusee as error:
        messages.error(request, str(error))
        return redirect("instruction:simulation", pk=simulation.pk)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, f"{count} dossier(s) inscrit(s) à l'ordre du jour de {commission}.")
    return redirect("instruction:commission", pk=commission.pk)


@programmation_required
def commissions(request: HttpRequest) -> HttpResponse:
    form = CommissionForm(request.POST or None)
    if request.method == "POST":
        if not _est_valideur(request.user):
            raise Http404
        if form.is_valid():
            commission = services.commission_creer(par=request.user, **form.cleaned_data)
            messages.success(request, f"Séance du {commission.date:%d/%m/%Y} créée.")
            return redirect("instruction:commission", pk=commission.pk)
    liste = selectors.commissions_visibles(request.user).annotate(
        nombre=Count("points"), total=Sum("points__montant")
    )
    return render(
        request,
        "instruction/commissions.html",
        {"commissions": liste, "form": form, "est_valideur": _est_valideur(request.user)},
        status=400 if form.errors else 200,
    )


def lien_lot(lot_id: int | None) -> str:
    if not lot_id:
        return ""
    try:
        return reverse("editiques:lot", args=[lot_id])
    except NoReverseMatch:
        return ""


def _commission_context(request: HttpRequest, commission: Commission, **extra) -> dict:
    points = list(selectors.points_visibles(request.user, commission))
    a_voter = [p for p in points if not p.decision]
    return {
        "commission": commission,
        "points": points,
        "bilan": selectors.bilan_budgetaire(a_voter, commission.date.year),
        "totaux": selectors.totaux_rapport(points, commission.date.year),
        "decisions": DecisionVote.choices,
        "est_valideur": _est_valideur(request.user),
        "lien_lot": lien_lot(commission.lot_id),
        "saisie": request.POST,
        **extra,
    }


@programmation_required
def commission(request: HttpRequest, pk: int) -> HttpResponse:
    commission = selectors.commission_visible(request.user, pk)
    return render(request, "instruction/commission.html", _commission_context(request, commission))


@programmation_required
def commission_rapport(request: HttpRequest, pk: int) -> HttpResponse:
    commission = selectors.commission_visible(request.user, pk)
    return render(
        request, "instruction/commission_rapport.html", _commission_context(request, commission)
    )


@programmation_required
@require_POST
def commission_rapport_document(request: HttpRequest, pk: int) -> HttpResponse:
    commission = selectors.commission_visible(request.user, pk)
    try:
        services.commission_rapport_demander(commission=commission, par=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(
        request,
        "Le rapport est en cours de production : il sera disponible dans quelques instants.",
    )
    return redirect("instruction:commission", pk=commission.pk)


@programmation_required
@require_POST
def commission_voter(request: HttpRequest, pk: int) -> HttpResponse:
    commission = selectors.commission_visible(request.user, pk)
    if not _est_valideur(request.user):
        raise Http404
    globale = request.POST.get("decision_globale", "")
    points = commission.points.filter(decision="").only("pk")
    decisions, motifs = {}, {}
    for point in points:
        decisions[point.pk] = request.POST.get(f"decision-{point.pk}") or globale
        motifs[point.pk] = request.POST.get(f"motif-{point.pk}", "")
    try:
        commission = services.commission_voter(
            commission=commission,
            par=request.user,
            decisions=decisions,
            motifs=motifs,
            depassement_autorise=request.POST.get("depassement_autorise") == "1",
            motif_depassement=request.POST.get("motif_depassement", ""),
        )
    except (ActionRefusee, services.DepassementRefuse) as error:
        context = _commission_context(request, commission, erreur=str(error))
        return render(request, "instruction/commission.html", context, status=400)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(
        request,
        "Le vote est enregistré. Les courriers de décision partent maintenant : suivez leur "
        "production ci-dessous.",
    )
    return redirect("instruction:commission", pk=commission.pk)


@programmation_required
@require_POST
def point_retirer(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    commission = selectors.commission_visible(request.user, pk)
    point = get_object_or_404(
        PointOrdreDuJour.objects.select_related("dossier__dispositif", "commission"),
        pk=point_pk,
        commission=commission,
        dossier__in=instruction_selectors.perimetre(request.user),
    )
    try:
        services.point_retirer(point=point, par=request.user)
    except ActionRefusee as error:
        messages.error(request, str(error))
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, f"{point.dossier.numero} est retiré de l'ordre du jour.")
    return redirect("instruction:commission", pk=commission.pk)


@programmation_required
@require_POST
def inscrire(request: HttpRequest) -> HttpResponse:
    """Bulk action of the work queue: put the selected dossiers on a session's agenda."""
    ids = [int(i) for i in request.POST.getlist("dossiers") if i.isdigit()]
    dossiers = list(
        instruction_selectors.perimetre(request.user)
        .filter(pk__in=ids)
        .select_related("dispositif")
    )
    commission = Commission.objects.filter(pk=request.POST.get("commission") or 0).first()
    retour = request.POST.get("retour") or reverse("instruction:file")
    if not retour.startswith("/instruction/"):
        retour = reverse("instruction:file")
    if not dossiers or commission is None:
        messages.error(request, "Cochez au moins un dossier et choisissez une séance.")
        return redirect(retour)
    try:
        count = services.points_inscrire(commission=commission, par=request.user, dossiers=dossiers)
    except ActionRefusee as error:
        messages.error(request, str(error))
        return redirect(retour)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, f"{count} dossier(s) inscrit(s) à l'ordre du jour de {commission}.")
    return redirect("instruction:commission", pk=commission.pk)
