"""Checked access to issued documents: download, signed copies, preview, lot progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from editiques import selectors, services
from editiques.forms import CopieSigneeForm
from editiques.models import TypeDocument
from instruction.selectors import dossier_du_perimetre, peut_agir
from mdna.fichiers import servir


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.document_visible(request.user, pk)
    return servir(request, doc.fichier, nom=doc.nom_fichier, cible=doc)


@login_required
def copie(request: HttpRequest, pk: int, copie_pk: int) -> HttpResponse:
    doc = selectors.document_visible(request.user, pk)
    copie = get_object_or_404(doc.copies_signees, pk=copie_pk)
    return servir(request, copie.fichier, nom=copie.nom, cible=doc)


def _retour(request: HttpRequest, doc) -> str:
    if selectors.est_agent(request.user) and doc.dossier_id:
        return reverse("instruction:dossier", args=[doc.dossier_id])
    if doc.dossier_id:
        return reverse("espace:dossier", args=[doc.dossier_id])
    return reverse("tableau_de_bord")


@login_required
def copie_deposer(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.document_visible(request.user, pk)
    if not selectors.peut_deposer_copie(request.user, doc):
        raise Http404
    form = CopieSigneeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.copie_signee_deposer(
                document=doc, fichier=form.cleaned_data["fichier"], par=request.user
            )
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(request, f"La copie signée de {doc} est enregistrée à côté de l'original.")
        return redirect(_retour(request, doc))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "editiques/pages/copie_deposer.html",
        {"document": doc, "form": form, "retour": _retour(request, doc)},
        status=status,
    )


@login_required
def apercu(request: HttpRequest, dossier_pk: int, type: str = "") -> HttpResponse:
    type = type or request.GET.get("type", "")
    if type not in TypeDocument.values or not selectors.est_agent(request.user):
        raise Http404
    dossier = dossier_du_perimetre(request.user, dossier_pk)
    if not peut_agir(request.user, dossier):
        raise Http404
    pdf = services.apercu(type=type, dossier=dossier, par=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="projet-{type}-{dossier.numero}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def lot(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_visible(request.user, pk)
    progression = lot.progression()
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                **progression,
                "archive_statut": lot.archive_statut,
                "archive_progression": lot.archive_progression,
            }
        )
    echecs = lot.tous().filter(statut="echec").only("pk", "numero", "type", "erreur")[:50]
    return render(
        request,
        "editiques/pages/lot.html",
        {"lot": lot, "p": progression, "echecs": echecs},
    )


@login_required
@require_POST
def lot_archive_demander(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_visible(request.user, pk)
    format = request.POST.get("format", "")
    if format not in ("zip", "pdf"):
        messages.error(request, "Choisissez le format : un ZIP ou un seul PDF.")
        return redirect("editiques:lot", pk=lot.pk)
    services.lot_archive_demander(lot=lot, format=format, par=request.user)
    messages.success(request, "Le fichier est en préparation : cette page indique l'avancement.")
    return redirect("editiques:lot", pk=lot.pk)


@login_required
def lot_archive(request: HttpRequest, pk: int) -> HttpResponse:
    lot = selectors.lot_visible(request.user, pk)
    if lot.archive_statut != "pret":
        raise Http404
    nom = f"documents-lot-{lot.pk}.{lot.archive_format}"
    return servir(request, lot.archive, nom=nom, cible=lot, inline=False)


@login_required
@require_POST
def selection(request: HttpRequest) -> HttpResponse:
    """Batch download of chosen documents: a lot of them, its ZIP or PDF built in Celery."""
    if not selectors.est_agent(request.user):
        raise Http404
    ids = [int(x) for x in request.POST.getlist("documents") if x.isdigit()]
    documents = list(selectors.documents_visibles(request.user).filter(pk__in=ids, statut="rendu"))
    if not documents:
        messages.error(request, "Cochez au moins un document émis à télécharger.")
        retour = request.POST.get("retour", "")
        if not url_has_allowed_host_and_scheme(retour, allowed_hosts={request.get_host()}):
            retour = reverse("instruction:file")
        return redirect(retour)
    format = request.POST.get("format", "zip")
    lot = services.selection_creer(
        documents=documents,
        libelle=f"Sélection de {len(documents)} document(s)",
        format=format if format in ("zip", "pdf") else "zip",
        par=request.user,
    )
    return redirect("editiques:lot", pk=lot.pk)
