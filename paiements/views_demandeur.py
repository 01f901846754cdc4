"""Payment requests on the applicant side (/compte/versements/) and the certification of
service fait by the instructing service (/instruction/versements/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dispositifs.depot.selectors import dossier_de_l_usager
from instruction.selectors import dossier_du_perimetre, peut_agir
from instruction.services import ActionRefusee
from mdna.fichiers import servir
from mdna.models import Role
from paiements import selectors, services
from paiements.forms import CertificationForm, DemandeVersementForm, RejetForm
from paiements.models import DemandeVersement, Echeance, Justificatif, StatutDemande


@login_required
def versements(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, dossier_pk)
    return render(
        request,
        "paiements/usager_versements.html",
        {"dossier": dossier, **selectors.versements_du_dossier(dossier)},
    )


@login_required
def demander(request: HttpRequest, dossier_pk: int, echeance_pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, dossier_pk)
    echeance = Echeance.objects.filter(pk=echeance_pk, engagement__dossier=dossier).first()
    if echeance is None:
        raise Http404
    echeance.montant_demandable = services.montant_demandable(echeance)
    form = DemandeVersementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data.get("justificatif")
        justificatifs = []
        if fichier:
            from dispositifs.engine.fields import check_upload

            type_contenu = check_upload(
                fichier, allowed=("pdf", "jpg", "png"), max_bytes=fichier.size + 1
            )
            justificatifs.append((fichier, type_contenu))
        try:
            services.demande_deposer(
                echeance=echeance,
                par=request.user,
                depenses_realisees=form.cleaned_data["depenses_realisees"],
                recapitulatif=form.cleaned_data["recapitulatif"],
                justificatifs=justificatifs,
            )
        except ActionRefusee as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Demande envoyée. Le service vérifie vos justificatifs, en général sous deux "
                "semaines ; vous serez prévenu ici et par courriel.",
            )
            return redirect("versements:liste", dossier_pk=dossier.pk)
    return render(
        request,
        "paiements/usager_demande.html",
        {"dossier": dossier, "echeance": echeance, "form": form},
    )


def _demande_pour_agent(request: HttpRequest, pk: int) -> DemandeVersement:
    if request.user.role not in (Role.INSTRUCTEUR, Role.VALIDEUR, Role.ADMINISTRATEUR):
        raise Http404
    demande = (
        DemandeVersement.objects.select_related("echeance__engagement", "dossier__dispositif")
        .filter(pk=pk)
        .first()
    )
    if demande is None or not peut_agir(request.user, demande.dossier):
        raise Http404
    return demande


@login_required
def certifier(request: HttpRequest, pk: int) -> HttpResponse:
    demande = _demande_pour_agent(request, pk)
    propose = services.montant_propose(demande)
    form = CertificationForm(request.POST or None, initial={"montant": propose})
    rejet = RejetForm(request.POST if "rejeter" in request.POST else None)
    if request.method == "POST" and "rejeter" in request.POST:
        form = CertificationForm(initial={"montant": propose})
        if rejet.is_valid():
            try:
                services.demande_rejeter(
                    demande=demande, par=request.user, motif=rejet.cleaned_data["motif"]
                )
                messages.success(request, "Demande rejetée ; le demandeur est prévenu.")
                return redirect("instruction:dossier", pk=demande.dossier_id)
            except (ActionRefusee, PermissionDenied) as error:
                rejet.add_error(None, str(error))
    elif request.method == "POST" and form.is_valid():
        try:
            services.service_fait_certifier(demande=demande, par=request.user, **form.cleaned_data)
        except (ActionRefusee, PermissionDenied) as error:
            form.add_error("montant", str(error))
        else:
            messages.success(request, "Service fait certifié : la demande part en liquidation.")
            return redirect("instruction:dossier", pk=demande.dossier_id)
    return render(
        request,
        "paiements/certifier.html",
        {
            "demande": demande,
            "propose": propose,
            "form": form,
            "rejet": rejet,
            "justificatifs": demande.justificatifs.all(),
            "traitee": demande.statut != StatutDemande.DEPOSEE,
        },
    )


@login_required
def justificatif(request: HttpRequest, pk: int, justificatif_pk: int) -> HttpResponse:
    demande = _demande_pour_agent(request, pk)
    piece = Justificatif.objects.filter(pk=justificatif_pk, demande=demande).first()
    if piece is None:
        raise Http404
    return servir(request, piece.fichier, nom=piece.nom, cible=demande.dossier)


@login_required
def demandes_du_dossier(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    """The instructor's list of payment requests of one dossier (linked from the dossier)."""
    if request.user.role not in (Role.INSTRUCTEUR, Role.VALIDEUR, Role.ADMINISTRATEUR):
        raise Http404
    dossier = dossier_du_perimetre(request.user, dossier_pk)
    if not peut_agir(request.user, dossier):
        raise Http404
    return render(
        request,
        "paiements/instruction_demandes.html",
        {"dossier": dossier, **selectors.versements_du_dossier(dossier)},
    )
