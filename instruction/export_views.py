"""Exports of the work queue: ask, follow the progress, download again (author only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from instruction import services
from instruction.models import ExportFile, FormatExport, StatutExport
from instruction.views import agent_required
from mdna.fichiers import servir

MESSAGES = {
    StatutExport.EN_ATTENTE: "L'export attend son tour : il démarre dans quelques instants.",
    StatutExport.EN_COURS: "Export en cours : {traites} dossier(s) sur {total} écrits.",
    StatutExport.TERMINE: "Le fichier est prêt : {total} dossier(s). Vous pouvez le télécharger.",
    StatutExport.ECHEC: "{erreur}",
}


def _mon_export(request: HttpRequest, pk: int) -> ExportFile:
    """Only the author sees an export (another agent, even of the same Service, gets 404)."""
    return get_object_or_404(ExportFile, pk=pk, auteur=request.user)


def etat(export: ExportFile) -> dict:
    message = MESSAGES[export.statut].format(
        traites=export.traites, total=export.total, erreur=export.erreur
    )
    return {
        "statut": export.statut,
        "libelle": export.get_statut_display(),
        "traites": export.traites,
        "total": export.total,
        "pourcentage": export.pourcentage,
        "message": message,
        "telechargement": (
            reverse("instruction:export_telecharger", args=[export.pk])
            if export.statut == StatutExport.TERMINE
            else ""
        ),
        "fini": export.statut in (StatutExport.TERMINE, StatutExport.ECHEC),
    }


@agent_required
@require_POST
def export_demander(request: HttpRequest) -> HttpResponse:
    try:
        export = services.export_demander(
            par=request.user,
            format=request.POST.get("format", ""),
            parametres=request.POST.get("parametres", "")[:1000],
        )
    except services.ActionRefusee as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('instruction:file')}?{request.POST.get('parametres', '')}")
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("instruction:export", pk=export.pk)


@agent_required
def exports(request: HttpRequest) -> HttpResponse:
    mes_exports = ExportFile.objects.filter(auteur=request.user)[:20]
    return render(request, "instruction/exports.html", {"exports": mes_exports})


@agent_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    export = _mon_export(request, pk)
    return render(
        request,
        "instruction/export.html",
        {"export": export, "etat": etat(export), "formats": FormatExport},
    )


@agent_required
def export_etat(request: HttpRequest, pk: int) -> JsonResponse:
    response = JsonResponse(etat(_mon_export(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@agent_required
def export_telecharger(request: HttpRequest, pk: int) -> HttpResponse:
    export = _mon_export(request, pk)
    if export.statut != StatutExport.TERMINE:
        raise Http404("Le fichier n'est pas encore prêt.")
    return servir(request, export.fichier, nom=export.nom, cible=export, inline=False)
