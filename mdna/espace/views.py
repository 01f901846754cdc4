"""The applicant's space (/compte/): dashboard, dossier tracking, organisations, digital safe."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dispositifs.depot import services as depot
from dispositifs.depot.selectors import dossier_de_l_usager, dossiers_de_l_usager, recapitulatif
from dispositifs.engine.fields import check_upload
from dispositifs.models import Etat, Message, Piece
from dispositifs.statuts import statut_usager
from instruction.services import ActionRefusee, pieces_repondre
from mdna.espace import services
from mdna.espace.forms import (
    ConseillerForm,
    DesistementForm,
    DocumentForm,
    InvitationForm,
    MessageForm,
    OrganisationForm,
)
from mdna.fichiers import servir
from mdna.models import (
    AccesConseiller,
    Adhesion,
    DocumentCoffre,
    Invitation,
    Notification,
    Role,
    Tiers,
    User,
)
from mdna.selectors import tiers_de_l_usager


def _tiers_de(user: User, pk: int) -> Tiers:
    return tiers_de_l_usager(user, pk)


@login_required
def tableau_de_bord(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.USAGER:
        return redirect("tableau_de_bord")
    dossiers = list(
        dossiers_de_l_usager(request.user)
        .select_related("dispositif", "tiers")
        .order_by("-modifie_le")[:100]
    )
    for dossier in dossiers:
        dossier.statut = statut_usager(dossier.etat)
    tiers = Tiers.objects.filter(adhesions__user=request.user).order_by("nom")
    notifications = Notification.objects.filter(user=request.user, lue_le__isnull=True)[:5]
    invitations = Invitation.objects.filter(
        email=request.user.email.lower(), acceptee_le__isnull=True
    ).select_related("tiers")
    return render(
        request,
        "espace/tableau_de_bord.html",
        {
            "dossiers": dossiers,
            "tiers": tiers,
            "notifications": notifications,
            "invitations": invitations,
        },
    )


@login_required
@require_POST
def invitation_accepter(request: HttpRequest, jeton: str) -> HttpResponse:
    try:
        tiers = services.invitation_accepter(par=request.user, jeton=jeton)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, f"Vous agissez désormais pour « {tiers.nom} ».")
    return redirect("espace:organisation", pk=tiers.pk)


@login_required
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, pk)
    if dossier.etat == Etat.BROUILLON:
        return redirect("depot:reprendre", pk=dossier.pk)
    evenements = dossier.evenements.filter(visible_usager=True).select_related("auteur")
    pieces = dossier.pieces.filter(remplacee_par__isnull=True).order_by("code")
    fils = dossier.messages.select_related("auteur")
    courriers = DocumentCoffre.objects.filter(dossier=dossier, emis_par_region=True)
    form = MessageForm()
    demande = dossier.demandes_pieces.filter(repondue_le__isnull=True).first()
    return render(
        request,
        "espace/dossier.html",
        {
            "dossier": dossier,
            "statut": statut_usager(dossier.etat),
            "evenements": evenements,
            "pieces": pieces,
            "fil": fils,
            "courriers": courriers,
            "sections": recapitulatif(dossier.version.schema, dossier.answers()),
            "form": form,
            "peut_retirer": dossier.etat
            in {Etat.DEPOSE, Etat.INCOMPLET, Etat.EN_INSTRUCTION, Etat.PROPOSE},
            "demande": demande if dossier.etat == Etat.INCOMPLET else None,
        },
    )


@login_required
@require_POST
def repondre_pieces(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant sends the pieces asked for (each checked for size and type)."""
    dossier = dossier_de_l_usager(request.user, pk)
    demande = dossier.demandes_pieces.filter(repondue_le__isnull=True).first()
    if demande is None:
        raise Http404
    fichiers, erreurs = {}, []
    for code in demande.pieces:
        upload = request.FILES.get(f"piece_{code}")
        if upload is None:
            continue
        try:
            check_upload(
                upload, allowed=("pdf", "jpg", "png"), max_bytes=settings.MDNA_UPLOAD_MAX_BYTES
            )
        except ValidationError as error:
            erreurs.extend(f"{code} : {m}" for m in error.messages)
        else:
            fichiers[code] = upload
    if demande.pieces and not fichiers and not erreurs:
        erreurs.append("Joignez au moins une des pièces demandées.")
    if not erreurs:
        try:
            pieces_repondre(
                dossier=dossier,
                par=request.user,
                fichiers=fichiers,
                message=request.POST.get("message", ""),
            )
        except ActionRefusee as error:
            erreurs.append(str(error))
    for erreur in erreurs:
        messages.error(request, erreur)
    if not erreurs:
        messages.success(request, "Merci : vos pièces sont transmises au service instructeur.")
    return redirect("espace:dossier", pk=dossier.pk)


@login_required
@require_POST
def message_envoyer(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            "Le message n'a pas été envoyé : "
            + " ".join(e for errs in form.errors.values() for e in errs),
        )
        return redirect("espace:dossier", pk=dossier.pk)
    depot.message_usager_envoyer(
        dossier=dossier,
        par=request.user,
        texte=form.cleaned_data["texte"],
        piece_jointe=form.cleaned_data.get("piece_jointe"),
    )
    messages.success(request, "Votre message est envoyé au service instructeur.")
    return redirect("espace:dossier", pk=dossier.pk)


@login_required
def message_piece_jointe(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, pk)
    message = get_object_or_404(Message, pk=message_pk, dossier=dossier)
    return servir(request, message.piece_jointe, nom=message.nom_piece_jointe, cible=dossier)


@login_required
def piece(request: HttpRequest, pk: int, piece_pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, pk)
    piece = get_object_or_404(Piece, pk=piece_pk, dossier=dossier)
    return servir(request, piece.fichier, nom=piece.nom, cible=dossier)


@login_required
@require_http_methods(["GET", "POST"])
def desister(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_de_l_usager(request.user, pk)
    form = DesistementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            depot.dossier_desister(
                dossier=dossier, par=request.user, motif=form.cleaned_data["motif"]
            )
        except depot.DepotImpossible as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Votre demande est retirée.")
        return redirect("espace:dossier", pk=dossier.pk)
    return render(request, "espace/desister.html", {"dossier": dossier, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    resultat = None
    if request.method == "POST" and form.is_valid():
        try:
            tiers, resultat = services.organisation_ajouter(
                par=request.user,
                type=form.cleaned_data["type"],
                identifiant=form.cleaned_data["identifiant"],
                saisie={"nom": form.cleaned_data["nom"]},
            )
        except services.TiersRefuse as error:
            form.add_error("identifiant", str(error))
        else:
            messages.success(
                request,
                resultat.message
                if resultat.verifie
                else f"« {tiers.nom} » est ajoutée. {resultat.message}",
            )
            return redirect("espace:organisation", pk=tiers.pk)
    adhesions = (
        Adhesion.objects.filter(user=request.user).select_related("tiers").order_by("tiers__nom")
    )
    return render(
        request,
        "espace/organisations.html",
        {"form": form, "adhesions": adhesions, "resultat": resultat},
    )


@login_required
@require_POST
def moi_meme(request: HttpRequest) -> HttpResponse:
    tiers = services.particulier_tiers(user=request.user)
    suivant = request.POST.get("suivant", "")
    if suivant.startswith("/compte/demandes/nouvelle/"):
        return redirect(suivant)
    return redirect("espace:organisation", pk=tiers.pk)


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    tiers = _tiers_de(request.user, pk)
    responsable = services._est_responsable(request.user, tiers)
    invitation_form = InvitationForm(request.POST if "inviter" in request.POST else None)
    conseiller_form = ConseillerForm(request.POST if "conseiller" in request.POST else None)
    if request.method == "POST" and not responsable:
        raise PermissionDenied
    if "inviter" in request.POST and invitation_form.is_valid():
        services.membre_inviter(
            par=request.user, tiers=tiers, email=invitation_form.cleaned_data["email"]
        )
        messages.success(
            request,
            "L'invitation est enregistrée : la personne la verra en se connectant avec cette adresse.",
        )
        return redirect("espace:organisation", pk=tiers.pk)
    if "conseiller" in request.POST and conseiller_form.is_valid():
        conseiller = User.objects.filter(
            email__iexact=conseiller_form.cleaned_data["email"], role=Role.CONSEILLER
        ).first()
        if conseiller is None:
            conseiller_form.add_error("email", "Aucun conseiller référencé n'a cette adresse.")
        else:
            services.conseiller_autoriser(par=request.user, tiers=tiers, conseiller=conseiller)
            messages.success(
                request, f"{conseiller} peut désormais consulter les demandes de {tiers.nom}."
            )
            return redirect("espace:organisation", pk=tiers.pk)
    if "revoquer" in request.POST:
        acces = get_object_or_404(AccesConseiller, pk=request.POST["revoquer"], tiers=tiers)
        services.conseiller_revoquer(par=request.user, acces=acces)
        messages.success(request, "L'accès du conseiller est retiré.")
        return redirect("espace:organisation", pk=tiers.pk)
    return render(
        request,
        "espace/organisation.html",
        {
            "tiers": tiers,
            "responsable": responsable,
            "membres": tiers.adhesions.select_related("user"),
            "acces": tiers.acces_conseillers.filter(revoque_le__isnull=True).select_related(
                "conseiller"
            ),
            "invitation_form": invitation_form,
            "conseiller_form": conseiller_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def coffre(request: HttpRequest, pk: int) -> HttpResponse:
    tiers = _tiers_de(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.document_deposer(
            par=request.user,
            tiers=tiers,
            type=form.cleaned_data["type"],
            fichier=form.cleaned_data["fichier"],
            valide_jusqu_au=form.cleaned_data["valide_jusqu_au"],
        )
        messages.success(request, "Le document est rangé dans votre coffre-fort.")
        return redirect("espace:coffre", pk=tiers.pk)
    documents = tiers.documents.filter(archive=False).select_related("dossier")
    bientot = timezone.localdate() + timezone.timedelta(days=30)
    return render(
        request,
        "espace/coffre.html",
        {
            "tiers": tiers,
            "documents": documents,
            "form": form,
            "bientot": bientot,
            "aujourdhui": timezone.localdate(),
        },
    )


@login_required
def document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tiers = _tiers_de(request.user, pk)
    doc = get_object_or_404(DocumentCoffre, pk=document_pk, tiers=tiers)
    return servir(request, doc.fichier, nom=doc.nom, cible=tiers)


@login_required
@require_POST
def document_archiver(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tiers = _tiers_de(request.user, pk)
    doc = get_object_or_404(DocumentCoffre, pk=document_pk, tiers=tiers)
    services.document_archiver(par=request.user, document=doc)
    messages.success(request, "Le document est retiré de votre coffre-fort.")
    return redirect("espace:coffre", pk=tiers.pk)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(user=request.user)[:100])
    Notification.objects.filter(user=request.user, lue_le__isnull=True).update(
        lue_le=timezone.now()
    )
    return render(request, "espace/notifications.html", {"notifications": items})


@login_required
@require_http_methods(["GET", "POST"])
def alertes(request: HttpRequest) -> HttpResponse:
    from django.forms import modelform_factory

    from dispositifs.models import PreferencesAlertes

    preferences, _ = PreferencesAlertes.objects.get_or_create(user=request.user)
    form_class = modelform_factory(
        PreferencesAlertes,
        fields=["nouveaux_dispositifs", "clotures_proches", "documents_expirant"],
    )
    form = form_class(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Vos préférences d'alertes sont enregistrées.")
        return redirect("espace:alertes")
    return render(request, "espace/alertes.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profil(request: HttpRequest) -> HttpResponse:
    from django.forms import modelform_factory

    form_class = modelform_factory(User, fields=["first_name", "last_name", "phone"])
    form = form_class(request.POST or None, instance=request.user)
    if request.method == "POST" and "supprimer" in request.POST:
        services.suppression_demander(user=request.user)
        messages.success(
            request,
            "Votre demande de suppression est enregistrée. La Région vous répondra sous un mois ; "
            "les dossiers déjà déposés sont conservés le temps de l'archivage légal.",
        )
        return redirect("espace:profil")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Votre profil est à jour.")
        return redirect("espace:profil")
    return render(request, "espace/profil.html", {"form": form})
