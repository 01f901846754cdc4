"""The back office (/instruction/): the work queue and the dossier screen. Thin views: every
write goes through instruction.services, every read through instruction.selectors (scope)."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from dispositifs.depot.selectors import recapitulatif
from dispositifs.engine.parsing import parse_decimal
from dispositifs.models import Dossier, Etat, Piece, StatutPiece
from instruction import selectors, services
from instruction.eligibilite import controles
from instruction.filters import FileFilter
from instruction.models import Avis, FiltreEnregistre, SensAvis
from instruction.pagination import PLAFOND_RECHERCHE, PaginatorPlafonne
from instruction.programmation.models import Commission, StatutCommission
from instruction.programmation.selectors import enveloppe_pour
from instruction.workflow import TRANSITIONS, depuis
from mdna.fichiers import servir
from mdna.models import Role, Service, User

PAR_PAGE = 50


def agent_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not selectors.acces_back_office(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@agent_required
def file(request: HttpRequest) -> HttpResponse:
    base = selectors.perimetre(request.user)
    filtre = FileFilter(request.GET or None, queryset=base, user=request.user)
    queryset = filtre.qs.select_related("dispositif", "instructeur").only(
        "id",
        "numero",
        "titre",
        "nom_demandeur",
        "etat",
        "montant_demande",
        "depose_le",
        "departement",
        "dispositif__nom",
        "instructeur__first_name",
        "instructeur__last_name",
        "instructeur__email",
    )
    recherche = bool(request.GET.get("q", "").strip())
    page = PaginatorPlafonne(
        queryset,
        PAR_PAGE,
        plafond=PLAFOND_RECHERCHE if recherche else None,
        compte_dans_l_ordre=recherche,
    ).get_page(request.GET.get("page"))
    limite = timezone.now() - selectors.delai_instruction()
    for dossier in page.object_list:
        dossier.jours = (timezone.now() - dossier.depose_le).days if dossier.depose_le else None
        dossier.en_retard = bool(
            dossier.depose_le and dossier.etat in selectors.EN_COURS and dossier.depose_le < limite
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "instruction/file.html",
        {
            "filtre": filtre,
            "page": page,
            "params": params.urlencode(),
            "filtres_enregistres": FiltreEnregistre.objects.filter(user=request.user),
            "agents": filtre.filters["instructeur"].queryset,
            "commissions": Commission.objects.filter(statut=StatutCommission.PREPARATION).order_by(
                "date"
            ),
        },
    )


@agent_required
@require_POST
def filtre_enregistrer(request: HttpRequest) -> HttpResponse:
    nom = request.POST.get("nom", "").strip()[:100]
    parametres = request.POST.get("parametres", "")[:1000]
    if nom:
        FiltreEnregistre.objects.create(user=request.user, nom=nom, parametres=parametres)
        messages.success(request, f"Filtre « {nom} » enregistré.")
    return redirect(f"/instruction/?{parametres}")


@agent_required
@require_POST
def affecter(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("dossiers") if i.isdigit()]
    dossiers = list(
        selectors.perimetre(request.user).filter(pk__in=ids).select_related("dispositif")
    )
    instructeur = User.objects.filter(pk=request.POST.get("instructeur") or 0).first()
    if not dossiers or instructeur is None:
        messages.error(request, "Cochez au moins un dossier et choisissez un instructeur.")
    else:
        try:
            count = services.dossier_affecter(
                dossiers=dossiers, instructeur=instructeur, par=request.user
            )
        except (services.ActionRefusee, PermissionDenied) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{count} dossier(s) affecté(s) à {instructeur}.")
    return redirect(request.POST.get("retour") or "instruction:file")


def _context(request: HttpRequest, dossier: Dossier, **extra) -> dict:
    pieces = list(
        dossier.pieces.filter(remplacee_par__isnull=True)
        .select_related("depose_par")
        .order_by("code")
    )
    evenements = dossier.evenements.select_related("auteur")
    transitions = []
    for transition in depuis(dossier.etat):
        if transition.roles & {Role.USAGER}:
            continue
        transitions.append(
            {
                "t": transition,
                "refus": services.pourquoi_pas(
                    transition,
                    dossier,
                    request.user,
                    {"motif": "x", "pieces": ["x"], "message": "x"},
                ),
            }
        )
    schema = dossier.version.schema
    file_pieces = [
        (f.get("piece"), f["label"])
        for s in schema["steps"]
        for f in s["fields"]
        if f["type"] == "file"
    ]
    return {
        "dossier": dossier,
        "sections": recapitulatif(schema, dossier.answers()),
        "pieces": pieces,
        "evenements": evenements,
        "notes": dossier.notes.select_related("auteur"),
        "fil": dossier.messages.select_related("auteur"),
        "avis": dossier.avis.select_related("service", "expert", "rendu_par"),
        "propositions": dossier.propositions.select_related("auteur", "valideur"),
        "demandes": dossier.demandes_pieces.all(),
        "controles": controles(dossier),
        "transitions": transitions,
        "peut_agir": selectors.peut_agir(request.user, dossier),
        "pieces_demandables": file_pieces,
        "services": Service.objects.exclude(pk=dossier.dispositif.service_id),
        "sens_avis": SensAvis.choices,
        "echeance_defaut": timezone.localdate() + dt.timedelta(days=services.DELAI_PIECES_JOURS),
        "maximum": services.montant_maximal(dossier),
        "est_valideur": request.user.role in (Role.VALIDEUR, Role.ADMINISTRATEUR),
        "enveloppe": enveloppe_pour(dossier.dispositif_id, timezone.localdate().year)
        if dossier.etat == Etat.PROPOSE
        else None,
        **extra,
    }


@agent_required
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = selectors.dossier_du_perimetre(request.user, pk)
    context = _context(request, dossier)
    proposition = next(iter(context["propositions"]), None)
    if context["enveloppe"] is not None and proposition is not None:
        context["restant_apres"] = context["enveloppe"].restant - proposition.montant
    return render(request, "instruction/dossier.html", context)


def _verrou(request: HttpRequest) -> int | None:
    value = request.POST.get("verrou", "")
    return int(value) if value.isdigit() else None


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    """Run an action; on refusal, show the dossier again with the reason and what was typed."""
    dossier = selectors.dossier_du_perimetre(request.user, pk)
    if not selectors.peut_agir(request.user, dossier):
        raise Http404
    try:
        message = action(dossier)
    except services.Conflit as error:
        dossier = selectors.dossier_du_perimetre(request.user, pk)
        context = _context(request, dossier, erreur=str(error), saisie=request.POST)
        return render(request, "instruction/dossier.html", context, status=409)
    except services.ActionRefusee as error:
        context = _context(request, dossier, erreur=str(error), saisie=request.POST)
        return render(request, "instruction/dossier.html", context, status=400)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, message)
    return redirect("instruction:dossier", pk=pk)


@agent_required
@require_POST
def transition(request: HttpRequest, pk: int, nom: str) -> HttpResponse:
    if nom not in TRANSITIONS or nom in {"demander_pieces", "proposer", "renvoyer"}:
        raise Http404

    def action(dossier):
        services.transition_executer(
            dossier=dossier,
            nom=nom,
            par=request.user,
            donnees={"motif": request.POST.get("motif", "")},
            verrou=_verrou(request),
        )
        return f"{TRANSITIONS[nom].libelle} : fait."

    return _act(request, pk, action)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@agent_required
@require_POST
def demander_pieces(request: HttpRequest, pk: int) -> HttpResponse:
    def action(dossier):
        services.pieces_demander(
            dossier=dossier,
            par=request.user,
            pieces=request.POST.getlist("pieces"),
            message=request.POST.get("message", ""),
            echeance=_date(request.POST.get("echeance", "")),
            verrou=_verrou(request),
        )
        return "La demande de pièces est envoyée ; le courrier part automatiquement."

    return _act(request, pk, action)


@agent_required
@require_POST
def statuer_piece(request: HttpRequest, pk: int, piece_pk: int) -> HttpResponse:
    def action(dossier):
        piece = get_object_or_404(Piece, pk=piece_pk, dossier=dossier)
        statut = request.POST.get("statut")
        if statut not in (StatutPiece.VALIDE, StatutPiece.A_REMPLACER):
            raise services.ActionRefusee("Statut de pièce inconnu.")
        services.piece_statuer(
            piece=piece, par=request.user, statut=statut, motif=request.POST.get("motif", "")
        )
        return "Statut de la pièce enregistré."

    return _act(request, pk, action)


@agent_required
@require_POST
def proposer(request: HttpRequest, pk: int) -> HttpResponse:
    def action(dossier):
        montant = parse_decimal(request.POST.get("montant", ""))
        if montant is None:
            raise services.ActionRefusee("Saisissez le montant proposé, par exemple 7 000.")
        services.proposition_enregistrer(
            dossier=dossier,
            par=request.user,
            montant=montant,
            sens=request.POST.get("sens", SensAvis.FAVORABLE),
            justification=request.POST.get("justification", ""),
            conditions=request.POST.get("conditions", ""),
            verrou=_verrou(request),
        )
        return "Proposition transmise au valideur."

    return _act(request, pk, action)


@agent_required
@require_POST
def valider_proposition(request: HttpRequest, pk: int) -> HttpResponse:
    def action(dossier):
        proposition = dossier.propositions.first()
        if proposition is None:
            raise services.ActionRefusee("Aucune proposition à valider.")
        if request.POST.get("decision") == "approuver":
            services.proposition_approuver(
                proposition=proposition,
                par=request.user,
                commentaire=request.POST.get("commentaire", ""),
            )
            return "Proposition approuvée : elle peut être inscrite à l'ordre du jour de la commission."
        services.proposition_renvoyer(
            proposition=proposition,
            par=request.user,
            commentaire=request.POST.get("commentaire", ""),
            verrou=_verrou(request),
        )
        return "Proposition renvoyée à l'instructeur."

    return _act(request, pk, action)


@agent_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    def action(dossier):
        texte = request.POST.get("texte", "").strip()
        if not texte:
            raise services.ActionRefusee("La note est vide.")
        services.note_ajouter(dossier=dossier, par=request.user, texte=texte)
        return "Note interne ajoutée."

    return _act(request, pk, action)


@agent_required
@require_POST
def message(request: HttpRequest, pk: int) -> HttpResponse:
    def action(dossier):
        texte = request.POST.get("texte", "").strip()
        if not texte:
            raise services.ActionRefusee("Le message est vide.")
        services.message_agent_envoyer(dossier=dossier, par=request.user, texte=texte)
        return "Message envoyé au demandeur."

    return _act(request, pk, action)


@agent_required
@require_POST
def avis_demander(request: HttpRequest, pk: int) -> HttpResponse:
    def action(dossier):
        service = Service.objects.filter(pk=request.POST.get("service") or 0).first()
        echeance = _date(request.POST.get("echeance", "")) or timezone.localdate() + dt.timedelta(
            days=15
        )
        services.avis_demander(
            dossier=dossier,
            par=request.user,
            question=request.POST.get("question", ""),
            echeance=echeance,
            service=service,
        )
        return "La demande d'avis est envoyée."

    return _act(request, pk, action)


@agent_required
@require_POST
def avis_rendre(request: HttpRequest, pk: int, avis_pk: int) -> HttpResponse:
    avis = get_object_or_404(
        Avis.objects.select_related("dossier__dispositif"), pk=avis_pk, dossier_id=pk
    )
    try:
        services.avis_rendre(
            avis=avis,
            par=request.user,
            sens=request.POST.get("sens", ""),
            reponse=request.POST.get("reponse", ""),
        )
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, "Avis rendu.")
    return redirect("instruction:avis")


@agent_required
def avis_a_rendre(request: HttpRequest) -> HttpResponse:
    """Opinions asked of my Service (they may concern dossiers of another Service)."""
    demandes = Avis.objects.filter(rendu_le__isnull=True).select_related(
        "dossier__dispositif", "demande_par"
    )
    if not request.user.is_administrateur:
        demandes = demandes.filter(service_id=request.user.service_id) | demandes.filter(
            expert=request.user
        )
    return render(
        request, "instruction/avis.html", {"demandes": demandes, "sens_avis": SensAvis.choices}
    )


@agent_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def piece(request: HttpRequest, pk: int, piece_pk: int) -> HttpResponse:
    """Inline preview of a piece (PDF or image) for agents in scope."""
    dossier = selectors.dossier_du_perimetre(request.user, pk)
    piece = get_object_or_404(Piece, pk=piece_pk, dossier=dossier)
    return servir(request, piece.fichier, nom=piece.nom, cible=dossier, inline=True)
