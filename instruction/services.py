"""Writes of the back office. Every state change goes through `transition_executer`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from dispositifs.engine import formulas
from dispositifs.engine.parsing import format_euros
from dispositifs.models import Dossier, Etat, EvenementDossier, Message, Piece, StatutPiece
from instruction.models import (
    Avis,
    DemandePieces,
    ExportFile,
    FormatExport,
    NoteInterne,
    Proposition,
    StatutProposition,
)
from instruction.programmation.services import imputation_proposer, imputation_suivre
from instruction.selectors import peut_agir
from instruction.workflow import TRANSITIONS, Transition
from mdna import audit, webhooks
from mdna.models import AGENT_ROLES, Role, User
from mdna.notifications import notifier

DELAI_PIECES_JOURS = 30


class ActionRefusee(Exception):
    """Refused, with the reason in plain words (shown to the person who tried)."""


class Conflit(ActionRefusee):
    """Someone else changed the dossier meanwhile (optimistic lock)."""


def _lock(dossier: Dossier, verrou: int | None) -> Dossier:
    current = (
        Dossier.objects.select_for_update().select_related("dispositif", "tiers").get(pk=dossier.pk)
    )
    if verrou is not None and current.verrou != verrou:
        raise Conflit(
            "Ce dossier vient d'être modifié par une autre personne. Rechargez la page pour voir "
            "ses changements : ce que vous aviez saisi est conservé ci-dessous."
        )
    return current


def _check_agent(par: User, dossier: Dossier) -> None:
    if not peut_agir(par, dossier):
        raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")


def pourquoi_pas(
    transition: Transition, dossier: Dossier, par: User, donnees: dict | None = None
) -> str:
    """Empty when the transition may run; otherwise why not, in a sentence."""
    if dossier.etat not in transition.sources:
        return f"Impossible depuis l'état « {Etat(dossier.etat).label} »."
    if par.role not in transition.roles and not (
        par.is_superuser and Role.ADMINISTRATEUR in transition.roles
    ):
        return "Votre rôle ne permet pas cette action."
    if par.role == Role.USAGER:
        if not dossier.tiers.adhesions.filter(user=par).exists():
            return "Vous n'agissez pas pour ce demandeur."
    elif not peut_agir(par, dossier):
        return "Ce dossier n'est pas dans votre périmètre."
    ok, raison = transition.garde(dossier, par, donnees or {})
    return "" if ok else raison


@transaction.atomic
def transition_executer(
    *,
    dossier: Dossier,
    nom: str,
    par: User,
    donnees: dict | None = None,
    verrou: int | None = None,
    lot=None,
    contexte: dict | None = None,
) -> Dossier:
    """Run one transition of the table: check role, scope and guard, change the state, write the
    audit event and the timeline entry, issue the document and notify after commit.

    `lot` and `contexte` are passed to the éditiques service with the transition's document (the
    commission vote issues all its decision letters in one batch this way)."""
    transition = TRANSITIONS[nom]
    donnees = donnees or {}
    dossier = _lock(dossier, verrou)
    raison = pourquoi_pas(transition, dossier, par, donnees)
    if raison:
        raise ActionRefusee(raison)
    avant = dossier.etat
    dossier.etat = transition.cible
    dossier.verrou = F("verrou") + 1
    dossier.save(update_fields=["etat", "verrou", "modifie_le"])
    dossier.refresh_from_db(fields=["verrou", "etat"])
    motif = donnees.get("motif", "").strip()
    evenement = EvenementDossier.objects.create(
        dossier=dossier,
        type=nom,
        titre=transition.titre_usager,
        detail=transition.detail_usager + (f" Motif : {motif}" if motif else ""),
        etat_avant=avant,
        etat_apres=transition.cible,
        auteur=par,
    )
    webhooks.changement_publier(evenement=evenement)
    audit.record(
        actor=par,
        action=f"dossier.{nom}",
        target=dossier,
        before={"etat": avant},
        after={
            "etat": transition.cible,
            **{k: str(v) for k, v in donnees.items() if k != "pieces"},
        },
    )
    imputation_suivre(dossier=dossier, avant=avant, apres=transition.cible, donnees=donnees)
    cle = f"{nom}-{dossier.pk}-{dossier.verrou}"
    if transition.document:
        _document_on_commit(
            type=transition.document, dossier=dossier, cle=cle, par=par, lot=lot, contexte=contexte
        )
    demandeur_id = dossier.demandeur_id
    lien = f"/compte/dossiers/{dossier.pk}/"
    titre = f"{dossier.numero} : {transition.titre_usager.lower()}"
    transaction.on_commit(
        lambda: notifier(
            user_id=demandeur_id, titre=titre, message=transition.detail_usager, lien=lien, cle=cle
        )
    )
    return dossier


def _document_on_commit(
    *, type: str, dossier: Dossier, cle: str, par: User, lot=None, contexte: dict | None = None
) -> None:
    """Ask the éditiques service for the document of this event (issued after commit)."""
    try:
        from editiques.services import document_demander
    except ImportError:  # pragma: no cover - éditiques not installed
        return
    extra = {k: v for k, v in {"lot": lot, "contexte": contexte}.items() if v is not None}
    document_demander(
        type=type, dossier=dossier, tiers=dossier.tiers, cle_evenement=cle, par=par, **extra
    )


@transaction.atomic
def dossier_affecter(*, dossiers: list[Dossier], instructeur: User, par: User) -> int:
    if instructeur.role not in (Role.INSTRUCTEUR, Role.VALIDEUR):
        raise ActionRefusee("Seul un agent instructeur peut recevoir des dossiers.")
    count = 0
    for dossier in dossiers:
        _check_agent(par, dossier)
        if (
            instructeur.service_id != dossier.dispositif.service_id
            and not instructeur.is_administrateur
        ):
            raise ActionRefusee(
                f"{instructeur} n'appartient pas au service qui instruit {dossier.numero}."
            )
        avant = dossier.instructeur_id
        Dossier.objects.filter(pk=dossier.pk).update(
            instructeur=instructeur, verrou=F("verrou") + 1
        )
        audit.record(
            actor=par,
            action="dossier.affecte",
            target=dossier,
            before={"instructeur": avant},
            after={"instructeur": instructeur.pk},
        )
        count += 1
    return count


@transaction.atomic
def pieces_demander(
    *,
    dossier: Dossier,
    par: User,
    pieces: list[str],
    message: str,
    echeance: dt.date | None = None,
    verrou: int | None = None,
) -> DemandePieces:
    """Ask the applicant for missing pieces: the letter goes out by itself, a reminder at D-7."""
    echeance = echeance or (timezone.localdate() + dt.timedelta(days=DELAI_PIECES_JOURS))
    if echeance <= timezone.localdate():
        raise ActionRefusee("La date limite doit être dans le futur.")
    demande = DemandePieces.objects.create(
        dossier=dossier, pieces=pieces, message=message, echeance=echeance, demandee_par=par
    )
    transition_executer(
        dossier=dossier,
        nom="demander_pieces",
        par=par,
        donnees={"pieces": pieces, "message": message, "echeance": echeance.isoformat()},
        verrou=verrou,
    )
    Piece.objects.filter(dossier=dossier, code__in=pieces, statut=StatutPiece.A_VERIFIER).update(
        statut=StatutPiece.A_REMPLACER
    )
    return demande


@transaction.atomic
def pieces_repondre(
    *, dossier: Dossier, par: User, fichiers: dict[str, object], message: str = ""
) -> Dossier:
    """The applicant sends the requested pieces: the dossier goes back to the instructor's queue."""
    from dispositifs.depot.services import piece_deposer

    demande = dossier.demandes_pieces.filter(repondue_le__isnull=True).first()
    if demande is None:
        raise ActionRefusee("Aucune demande de pièces en attente pour ce dossier.")
    for code, fichier in fichiers.items():
        nouvelle = piece_deposer(dossier=dossier, par=par, code=code, fichier=fichier)
        Piece.objects.filter(dossier=dossier, code=code, remplacee_par__isnull=True).exclude(
            pk=nouvelle.pk
        ).update(remplacee_par=nouvelle)
    if message.strip():
        Message.objects.create(dossier=dossier, auteur=par, texte=message.strip())
    demande.repondue_le = timezone.now()
    demande.save(update_fields=["repondue_le"])
    return transition_executer(dossier=dossier, nom="repondre_pieces", par=par)


@transaction.atomic
def piece_statuer(*, piece: Piece, par: User, statut: str, motif: str = "") -> Piece:
    _check_agent(par, piece.dossier)
    if statut == StatutPiece.A_REMPLACER and not motif.strip():
        raise ActionRefusee("Dites au demandeur pourquoi la pièce est à remplacer.")
    avant = piece.statut
    piece.statut = statut
    piece.motif = motif.strip()
    piece.save(update_fields=["statut", "motif"])
    audit.record(
        actor=par,
        action="piece.statuee",
        target=piece.dossier,
        before={"statut": avant},
        after={"statut": statut, "piece": piece.code, "motif": piece.motif},
    )
    return piece


@transaction.atomic
def note_ajouter(*, dossier: Dossier, par: User, texte: str) -> NoteInterne:
    _check_agent(par, dossier)
    note = NoteInterne.objects.create(dossier=dossier, auteur=par, texte=texte)
    audit.record(actor=par, action="dossier.note", target=dossier)
    return note


@transaction.atomic
def message_agent_envoyer(*, dossier: Dossier, par: User, texte: str) -> Message:
    _check_agent(par, dossier)
    message = Message.objects.create(dossier=dossier, auteur=par, texte=texte, de_la_region=True)
    audit.record(actor=par, action="dossier.message_agent", target=dossier)
    demandeur_id, pk, numero = dossier.demandeur_id, dossier.pk, dossier.numero
    transaction.on_commit(
        lambda: notifier(
            user_id=demandeur_id,
            titre=f"{numero} : nouveau message du service instructeur",
            message=texte[:500],
            lien=f"/compte/dossiers/{pk}/",
            cle=f"message-{message.pk}",
        )
    )
    return message


@transaction.atomic
def avis_demander(
    *, dossier: Dossier, par: User, question: str, echeance: dt.date, service=None, expert=None
) -> Avis:
    _check_agent(par, dossier)
    if service is None and expert is None:
        raise ActionRefusee("Choisissez le service ou l'expert consulté.")
    avis = Avis.objects.create(
        dossier=dossier,
        demande_par=par,
        question=question,
        echeance=echeance,
        service=service,
        expert=expert,
    )
    audit.record(
        actor=par,
        action="avis.demande",
        target=dossier,
        after={"service": getattr(service, "code", None), "expert": getattr(expert, "email", None)},
    )
    return avis


@transaction.atomic
def avis_rendre(*, avis: Avis, par: User, sens: str, reponse: str) -> Avis:
    consulte = (avis.service_id and par.service_id == avis.service_id) or avis.expert_id == par.pk
    if not consulte and not par.is_administrateur:
        raise PermissionDenied("Cet avis n'est pas demandé à votre service.")
    avis.sens, avis.reponse, avis.rendu_par, avis.rendu_le = sens, reponse, par, timezone.now()
    avis.save(update_fields=["sens", "reponse", "rendu_par", "rendu_le"])
    audit.record(actor=par, action="avis.rendu", target=avis.dossier, after={"sens": sens})
    return avis


def montant_maximal(dossier: Dossier) -> Decimal:
    regle = dossier.version.schema.get("regle") or {}
    return formulas.montant_eligible(dossier.answers(), regle)


@transaction.atomic
def proposition_enregistrer(
    *,
    dossier: Dossier,
    par: User,
    montant: Decimal,
    sens: str,
    justification: str,
    conditions: str = "",
    verrou: int | None = None,
) -> Proposition:
    """The instructor's proposal, checked against the amount asked, the rate and the ceiling."""
    dossier = _lock(dossier, verrou)
    _check_agent(par, dossier)
    if dossier.etat != Etat.EN_INSTRUCTION:
        raise ActionRefusee("On propose un montant pour un dossier en instruction.")
    if montant < 0:
        raise ActionRefusee("Le montant proposé ne peut pas être négatif.")
    if dossier.montant_demande is not None and montant > dossier.montant_demande:
        raise ActionRefusee(
            f"Le montant proposé dépasse le montant demandé ({format_euros(dossier.montant_demande)})."
        )
    maximum = montant_maximal(dossier)
    if montant > maximum:
        raise ActionRefusee(
            f"Le montant proposé dépasse le maximum du dispositif pour ce projet ({format_euros(maximum)})."
        )
    plancher = (dossier.version.schema.get("regle") or {}).get("plancher")
    if plancher and sens != "defavorable" and montant < Decimal(plancher):
        raise ActionRefusee(
            f"Le dispositif n'accorde pas d'aide inférieure à {format_euros(plancher)}."
        )
    proposition = Proposition.objects.create(
        dossier=dossier,
        montant=montant,
        sens=sens,
        justification=justification,
        conditions=conditions,
        auteur=par,
    )
    audit.record(
        actor=par,
        action="proposition.enregistree",
        target=dossier,
        after={"montant": montant, "sens": sens},
    )
    transition_executer(dossier=dossier, nom="proposer", par=par)
    return proposition


@transaction.atomic
def proposition_approuver(
    *, proposition: Proposition, par: User, commentaire: str = ""
) -> Proposition:
    if par.role not in (Role.VALIDEUR, Role.ADMINISTRATEUR):
        raise PermissionDenied("Seul un valideur approuve une proposition.")
    _check_agent(par, proposition.dossier)
    proposition = Proposition.objects.select_for_update().get(pk=proposition.pk)
    if proposition.statut != StatutProposition.EN_ATTENTE:
        raise ActionRefusee("Cette proposition a déjà été traitée.")
    proposition.statut = StatutProposition.APPROUVEE
    proposition.valideur, proposition.decidee_le, proposition.commentaire_valideur = (
        par,
        timezone.now(),
        commentaire,
    )
    proposition.save()
    imputation = imputation_proposer(proposition=proposition, par=par)
    audit.record(
        actor=par,
        action="proposition.approuvee",
        target=proposition.dossier,
        after={"montant": proposition.montant, "enveloppe": imputation.enveloppe_id},
    )
    return proposition


@transaction.atomic
def proposition_renvoyer(
    *, proposition: Proposition, par: User, commentaire: str, verrou: int | None = None
) -> Proposition:
    proposition = Proposition.objects.select_for_update().get(pk=proposition.pk)
    if proposition.statut != StatutProposition.EN_ATTENTE:
        raise ActionRefusee("Cette proposition a déjà été traitée.")
    transition_executer(
        dossier=proposition.dossier,
        nom="renvoyer",
        par=par,
        donnees={"motif": commentaire},
        verrou=verrou,
    )
    proposition.statut = StatutProposition.RENVOYEE
    proposition.valideur, proposition.decidee_le, proposition.commentaire_valideur = (
        par,
        timezone.now(),
        commentaire,
    )
    proposition.save()
    return proposition


def relances_pieces(*, aujourdhui: dt.date | None = None) -> dict:
    """Beat task body: reminder at D-7; past the deadline, flag the dossier for an agent who
    decides on inadmissibility (never automatic)."""
    aujourdhui = aujourdhui or timezone.localdate()
    relances = signales = 0
    attente = DemandePieces.objects.filter(
        repondue_le__isnull=True, dossier__etat=Etat.INCOMPLET
    ).select_related("dossier")
    for demande in attente.filter(
        relancee_le__isnull=True,
        echeance__lte=aujourdhui + dt.timedelta(days=7),
        echeance__gte=aujourdhui,
    ):
        with transaction.atomic():
            DemandePieces.objects.filter(pk=demande.pk).update(relancee_le=timezone.now())
            EvenementDossier.objects.create(
                dossier=demande.dossier,
                type="relance",
                titre="Rappel : pièces à fournir",
                detail=f"Il vous reste jusqu'au {demande.echeance:%d/%m/%Y} pour envoyer les pièces demandées.",
            )
            audit.record(actor=None, action="dossier.relance", target=demande.dossier)
            _document_on_commit(
                type="relance", dossier=demande.dossier, cle=f"relance-{demande.pk}", par=None
            )
            dossier = demande.dossier
            transaction.on_commit(
                lambda d=dossier, e=demande.echeance: notifier(
                    user_id=d.demandeur_id,
                    titre=f"{d.numero} : pièces à fournir avant le {e:%d/%m/%Y}",
                    message="Rappel : le service instructeur attend toujours des pièces.",
                    lien=f"/compte/dossiers/{d.pk}/",
                    cle=f"relance-{d.pk}-{e}",
                )
            )
        relances += 1
    for demande in attente.filter(signalee_le__isnull=True, echeance__lt=aujourdhui):
        with transaction.atomic():
            DemandePieces.objects.filter(pk=demande.pk).update(signalee_le=timezone.now())
            EvenementDossier.objects.create(
                dossier=demande.dossier,
                type="delai_depasse",
                titre="Délai de réponse dépassé : à examiner pour irrecevabilité",
                visible_usager=False,
            )
            audit.record(actor=None, action="dossier.delai_pieces_depasse", target=demande.dossier)
        signales += 1
    return {"relances": relances, "signales": signales}


@transaction.atomic
def export_demander(*, par: User, format: str, parametres: str) -> ExportFile:
    """Ask for an export of the work queue as filtered (``parametres``: the queue's query
    string). The file is produced after commit by a Celery task on the ``exports`` queue."""
    if format not in FormatExport.values:
        raise ActionRefusee("Choisissez le format du fichier : CSV ou XLSX.")
    if par.role not in AGENT_ROLES and par.role != Role.CONSEILLER:
        raise PermissionDenied
    params = QueryDict(parametres, mutable=True)
    params.pop("page", None)
    export = ExportFile.objects.create(auteur=par, format=format, parametres=params.urlencode())
    audit.record(
        actor=par,
        action="file.export_demande",
        target=export,
        after={"format": format, "filtres": export.parametres},
    )
    from instruction.tasks import export_file

    transaction.on_commit(lambda: export_file.delay(export.pk))
    return export
