"""Finance screens (/finances/): finance staff only, every Service. Thin views over services."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dispositifs.models import Dossier
from instruction.services import ActionRefusee
from mdna.fichiers import servir
from mdna.models import TypeTiers
from paiements import flux, selectors, services
from paiements.forms import (
    AnnulationForm,
    BeneficiaireForm,
    CaduciteForm,
    ImputationForm,
    PayeForm,
    RetourForm,
    TitreForm,
)
from paiements.models import (
    Acquit,
    Bordereau,
    DemandeVersement,
    Engagement,
    Export,
    FormatExport,
    Mandat,
    RetourComptable,
    StatutExport,
)

PAR_PAGE = 100
REFUS = (ActionRefusee, PermissionDenied)


def finances_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.est_finances(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _ids(request: HttpRequest, nom: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(nom) if v.isdigit()]


@finances_required
def accueil(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "paiements/accueil.html",
        {
            "sans_engagement": selectors.dossiers_sans_engagement()[:PAR_PAGE],
            "a_liquider": selectors.demandes_a_liquider()[:PAR_PAGE],
            "sans_bordereau": selectors.mandats_sans_bordereau()[:500],
            "caducites": selectors.caducites_a_constater()[:PAR_PAGE],
        },
    )


@finances_required
@require_POST
def engagement_creer(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    dossier = get_object_or_404(Dossier, pk=dossier_pk)
    try:
        engagement = services.engagement_creer(dossier=dossier, par=request.user)
    except REFUS as error:
        messages.error(request, str(error))
        return redirect("finances:accueil")
    messages.success(request, f"Engagement créé pour {dossier.numero}.")
    return redirect("finances:engagement", pk=engagement.pk)


@finances_required
def engagement(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(pk)
    form = ImputationForm(request.POST or None, initial=services._imputation(engagement))
    if request.method == "POST" and form.is_valid():
        services.engagement_modifier(engagement=engagement, par=request.user, **form.cleaned_data)
        messages.success(request, "Imputation enregistrée.")
        return redirect("finances:engagement", pk=pk)
    return _page_engagement(request, engagement, form=form)


@finances_required
@require_POST
def engagement_beneficiaire(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(pk)
    form = BeneficiaireForm(request.POST)
    if form.is_valid():
        try:
            services.engagement_beneficiaire_modifier(
                engagement=engagement, par=request.user, **form.cleaned_data
            )
        except REFUS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Identité du bénéficiaire enregistrée.")
            return redirect("finances:engagement", pk=pk)
    return _page_engagement(request, engagement, beneficiaire_form=form)


def _engagement(pk: int) -> Engagement:
    return get_object_or_404(
        Engagement.objects.select_related("dossier__tiers", "dossier__dispositif"), pk=pk
    )


def _page_engagement(request, engagement, *, form=None, beneficiaire_form=None) -> HttpResponse:
    particulier = engagement.dossier.tiers.type == TypeTiers.PARTICULIER
    if particulier and beneficiaire_form is None:
        beneficiaire_form = BeneficiaireForm(
            initial={
                "civilite": engagement.civilite,
                "prenom": engagement.prenom,
                "nom_famille": engagement.nom_famille,
            }
        )
    return render(
        request,
        "paiements/engagement.html",
        {
            "engagement": engagement,
            "form": form or ImputationForm(initial=services._imputation(engagement)),
            "beneficiaire_form": beneficiaire_form if particulier else None,
            "echeances": engagement.echeances.prefetch_related("demandes"),
            "mandats": engagement.mandats.select_related("bordereau").order_by("numero"),
            "titres": engagement.titres.all(),
            "titre_form": TitreForm(),
            "caducite_form": CaduciteForm(),
            "net": services.montant_mandate_net(engagement),
        },
        status=400
        if (form and form.errors) or (beneficiaire_form and beneficiaire_form.errors)
        else 200,
    )


@finances_required
@require_POST
def titre(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    form = TitreForm(request.POST)
    if form.is_valid():
        try:
            services.titre_emettre(engagement=engagement, par=request.user, **form.cleaned_data)
            messages.success(
                request, "Ordre de reversement émis ; le courrier part au bénéficiaire."
            )
        except REFUS as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Indiquez un montant et un motif.")
    return redirect("finances:engagement", pk=pk)


@finances_required
@require_POST
def caducite(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    form = CaduciteForm(request.POST)
    if form.is_valid():
        try:
            services.caducite_constater(
                engagement=engagement, par=request.user, motif=form.cleaned_data["motif"]
            )
            messages.success(request, "Caducité constatée ; le courrier part au bénéficiaire.")
        except REFUS as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Indiquez le motif de la caducité.")
    return redirect("finances:engagement", pk=pk)


@finances_required
@require_POST
def liquider(request: HttpRequest) -> HttpResponse:
    if request.POST.get("tous"):
        demandes = selectors.demandes_a_liquider()
    else:
        demandes = DemandeVersement.objects.filter(pk__in=_ids(request, "demandes"))
    emis, erreurs = [], []
    for demande in demandes:
        try:
            emis.append(services.mandat_liquider(demande=demande, par=request.user))
        except REFUS as error:
            erreurs.append(str(error))
    if emis:
        messages.success(
            request, f"{len(emis)} mandat(s) émis : n° " + ", ".join(str(m.numero) for m in emis)
        )
    for erreur in erreurs:
        messages.error(request, erreur)
    if not emis and not erreurs:
        messages.error(request, "Cochez au moins une demande à liquider.")
    return redirect("finances:accueil")


@finances_required
@require_POST
def bordereau_creer(request: HttpRequest) -> HttpResponse:
    if request.POST.get("tous"):
        mandats = selectors.mandats_a_grouper()
    else:
        mandats = list(Mandat.objects.filter(pk__in=_ids(request, "mandats")))
    try:
        bordereau = services.bordereau_creer(mandats=mandats, par=request.user)
    except REFUS as error:
        messages.error(request, str(error))
        return redirect("finances:accueil")
    messages.success(request, f"{bordereau} créé : {bordereau.nombre_mandats} mandat(s).")
    return redirect("finances:bordereau", pk=bordereau.pk)


@finances_required
def bordereaux(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.bordereaux(), PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "paiements/bordereaux.html", {"page": page})


@finances_required
def bordereau(request: HttpRequest, pk: int) -> HttpResponse:
    bordereau = get_object_or_404(Bordereau, pk=pk)
    mandats = bordereau.mandats.select_related("engagement__dossier", "origine").order_by("numero")
    return render(
        request,
        "paiements/bordereau.html",
        {
            "bordereau": bordereau,
            "mandats": mandats,
            "formats": FormatExport.choices,
            "exports": bordereau.exports.select_related("cree_par"),
        },
    )


@finances_required
def mandat(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.select_related("engagement__dossier", "bordereau", "origine", "demande"),
        pk=pk,
    )
    return render(
        request,
        "paiements/mandat.html",
        {
            "mandat": mandat,
            "lignes": mandat.lignes.all(),
            "annulations": mandat.annulations.all(),
            "annulation_form": AnnulationForm(),
            "paye_form": PayeForm(),
        },
    )


@finances_required
@require_POST
def mandat_annuler(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(Mandat, pk=pk)
    form = AnnulationForm(request.POST)
    if form.is_valid():
        try:
            annulation = services.mandat_annuler(
                mandat=mandat, par=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                f"Annulation-réduction n° {annulation.numero} émise : groupez-la dans un "
                "bordereau d'annulation.",
            )
        except REFUS as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Indiquez le montant et le motif.")
    return redirect("finances:mandat", pk=pk)


@finances_required
@require_POST
def mandat_paye(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(Mandat, pk=pk)
    form = PayeForm(request.POST)
    if form.is_valid():
        try:
            services.mandat_marquer_paye(
                mandat=mandat, par=request.user, le=form.cleaned_data["le"]
            )
            messages.success(request, "Paiement enregistré ; le bénéficiaire est prévenu.")
        except REFUS as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Indiquez la date du paiement (JJ/MM/AAAA).")
    return redirect("finances:mandat", pk=pk)


@finances_required
@require_POST
def export_demander(request: HttpRequest) -> HttpResponse:
    bordereaux = list(Bordereau.objects.filter(pk__in=_ids(request, "bordereaux")))
    try:
        flux.export_demander(
            format=request.POST.get("format", ""), bordereaux=bordereaux, par=request.user
        )
    except REFUS as error:
        messages.error(request, str(error))
        return redirect(request.POST.get("retour") or "finances:bordereaux")
    messages.success(
        request, "Export demandé : le fichier est construit et vérifié en arrière-plan."
    )
    return redirect("finances:exports")


@finances_required
def exports(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.exports(), 50).get_page(request.GET.get("page"))
    return render(request, "paiements/exports.html", {"page": page})


@finances_required
def export_telecharger(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(Export, pk=pk, statut=StatutExport.PRET)
    return servir(request, export.fichier, nom=export.nom, cible=export, inline=False)


@finances_required
def retours(request: HttpRequest) -> HttpResponse:
    form = RetourForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        acquit = flux.est_acquit(fichier)
        importer = flux.acquit_importer if acquit else flux.retour_importer
        try:
            retour = importer(fichier=fichier, par=request.user)
        except REFUS as error:
            form.add_error("fichier", str(error))
        else:
            anomalies = (
                f" {len(retour.anomalies)} anomalie(s) à vérifier." if retour.anomalies else ""
            )
            if acquit:
                messages.success(
                    request,
                    f"Accusé de réception importé : {retour.acceptes} bordereau(x) accepté(s), "
                    f"{retour.rejetes} rejeté(s).{anomalies}",
                )
            else:
                messages.success(
                    request,
                    f"{retour.mandats_payes} mandat(s) marqué(s) payé(s) ; les bénéficiaires "
                    f"sont prévenus.{anomalies}",
                )
            return redirect("finances:retours")
    return render(
        request,
        "paiements/retours.html",
        {
            "form": form,
            "retours": RetourComptable.objects.select_related("importe_par")[:50],
            "rejetes": Bordereau.objects.filter(acquit=Acquit.REJETE).order_by("-acquit_le")[:50],
        },
    )
