"""Writes of the applicant's space: organisations (Tiers), the digital safe, advisor access."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from mdna import audit
from mdna.donnees_externes.registry import Resultat, rechercher_organisation
from mdna.fichiers import empreinte_sha256
from mdna.models import (
    AccesConseiller,
    Adhesion,
    DocumentCoffre,
    Invitation,
    Role,
    RoleAdhesion,
    Tiers,
    TypeTiers,
    User,
)


class TiersRefuse(Exception):
    pass


def _est_responsable(user: User, tiers: Tiers) -> bool:
    return tiers.adhesions.filter(user=user, role=RoleAdhesion.PROPRIETAIRE).exists()


@transaction.atomic
def particulier_tiers(*, user: User) -> Tiers:
    """The Tiers through which a person asks aid for themself (created once)."""
    existing = Tiers.objects.filter(
        type=TypeTiers.PARTICULIER, adhesions__user=user, adhesions__role=RoleAdhesion.PROPRIETAIRE
    ).first()
    if existing:
        return existing
    tiers = Tiers.objects.create(
        type=TypeTiers.PARTICULIER,
        nom=user.get_full_name() or user.email,
        email=user.email,
        titulaire=user.get_full_name(),
    )
    Adhesion.objects.create(user=user, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    audit.record(actor=user, action="tiers.cree", target=tiers, after={"type": tiers.type})
    return tiers


@transaction.atomic
def organisation_ajouter(
    *, par: User, type: str, identifiant: str, saisie: dict | None = None
) -> tuple[Tiers, Resultat]:
    """Add an organisation from its SIRET or RNA. Verified data fills the Tiers; if the service
    is down or slow, what the person typed is kept and marked « non vérifié »."""
    resultat = rechercher_organisation(identifiant)
    if resultat.statut == "cesse":
        raise TiersRefuse(resultat.message)
    if resultat.statut == "invalide":
        raise TiersRefuse(resultat.message)
    saisie = saisie or {}
    data = resultat.donnees
    siret = getattr(data, "siret", "") or (
        identifiant if identifiant.isdigit() and len(identifiant) == 14 else ""
    )
    rna = getattr(data, "rna", "") or (
        identifiant.upper() if identifiant.upper().startswith("W") else ""
    )
    existing = Tiers.objects.filter(siret=siret).first() if siret else None
    if existing is None and rna:
        existing = Tiers.objects.filter(rna=rna).first()
    if existing is not None:
        if existing.adhesions.filter(user=par).exists():
            return existing, resultat
        raise TiersRefuse(
            "Cette organisation a déjà un espace sur le portail. Demandez à son responsable de vous "
            "inviter depuis la page « Mes organisations »."
        )
    tiers = Tiers(type=type, siret=siret or "", rna=rna or "")
    if resultat.verifie and data is not None:
        adresse = getattr(data, "adresse", None)
        tiers.nom = (
            getattr(data, "denomination", None) or getattr(data, "nom", "") or saisie.get("nom", "")
        )
        tiers.forme_juridique = getattr(data, "forme_juridique", "") or ""
        tiers.naf = getattr(data, "naf", "") or ""
        tiers.libelle_naf = getattr(data, "libelle_naf", "") or ""
        tiers.effectif = getattr(data, "tranche_effectif", "") or ""
        if adresse is not None:
            tiers.adresse = {
                "ligne": adresse.ligne or "",
                "code_postal": adresse.code_postal or "",
                "commune": adresse.commune or "",
            }
        tiers.verifie = True
        tiers.source_verification = getattr(data, "source", "") or "API Entreprise"
        tiers.verifie_le = getattr(data, "recupere_le", None) or timezone.now()
    else:
        tiers.nom = saisie.get("nom", "").strip()
        if not tiers.nom:
            raise TiersRefuse(resultat.message + " Indiquez au moins le nom de l'organisation.")
        tiers.adresse = saisie.get("adresse") or {}
    tiers.email = par.email
    tiers.save()
    Adhesion.objects.create(user=par, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    audit.record(
        actor=par,
        action="tiers.cree",
        target=tiers,
        after={"type": type, "siret": tiers.siret, "rna": tiers.rna, "verifie": tiers.verifie},
    )
    return tiers, resultat


@transaction.atomic
def membre_inviter(
    *, par: User, tiers: Tiers, email: str, role: str = RoleAdhesion.MEMBRE
) -> Invitation:
    if not _est_responsable(par, tiers):
        raise PermissionDenied("Seul un responsable de l'organisation invite des membres.")
    invitation = Invitation.objects.create(
        tiers=tiers, email=email.lower(), role=role, jeton=secrets.token_urlsafe(32), invite_par=par
    )
    audit.record(
        actor=par, action="tiers.invitation", target=tiers, after={"email": email, "role": role}
    )
    return invitation


@transaction.atomic
def invitation_accepter(*, par: User, jeton: str) -> Tiers:
    invitation = (
        Invitation.objects.select_for_update().filter(jeton=jeton, acceptee_le__isnull=True).first()
    )
    if invitation is None or invitation.email != par.email.lower():
        raise PermissionDenied("Cette invitation n'est pas valable pour votre compte.")
    Adhesion.objects.get_or_create(
        user=par, tiers=invitation.tiers, defaults={"role": invitation.role}
    )
    invitation.acceptee_le = timezone.now()
    invitation.save(update_fields=["acceptee_le"])
    audit.record(
        actor=par, action="tiers.membre_ajoute", target=invitation.tiers, after={"email": par.email}
    )
    return invitation.tiers


@transaction.atomic
def document_deposer(
    *, par: User, tiers: Tiers, type: str, fichier, valide_jusqu_au=None
) -> DocumentCoffre:
    if not tiers.adhesions.filter(user=par).exists():
        raise PermissionDenied
    document = DocumentCoffre(
        tiers=tiers,
        type=type,
        nom=fichier.name[:255],
        taille=fichier.size,
        sha256=empreinte_sha256(fichier),
        valide_jusqu_au=valide_jusqu_au,
        depose_par=par,
    )
    document.fichier.save(fichier.name, fichier, save=False)
    document.save()
    audit.record(
        actor=par, action="coffre.depose", target=tiers, after={"type": type, "nom": document.nom}
    )
    return document


@transaction.atomic
def document_archiver(*, par: User, document: DocumentCoffre) -> DocumentCoffre:
    if document.emis_par_region or not document.tiers.adhesions.filter(user=par).exists():
        raise PermissionDenied("Les courriers de la Région restent dans le coffre-fort.")
    document.archive = True
    document.save(update_fields=["archive"])
    audit.record(
        actor=par, action="coffre.archive", target=document.tiers, after={"document": document.pk}
    )
    return document


@transaction.atomic
def conseiller_autoriser(*, par: User, tiers: Tiers, conseiller: User) -> AccesConseiller:
    """The organisation lets a named economic advisor read its dossiers (Hub PME)."""
    if not _est_responsable(par, tiers):
        raise PermissionDenied("Seul un responsable de l'organisation gère les accès.")
    if conseiller.role != Role.CONSEILLER:
        raise TiersRefuse("Cette personne n'est pas un conseiller référencé par la Région.")
    acces, created = AccesConseiller.objects.get_or_create(
        tiers=tiers, conseiller=conseiller, revoque_le__isnull=True, defaults={"accorde_par": par}
    )
    if created:
        audit.record(
            actor=par,
            action="conseiller.acces_accorde",
            target=tiers,
            after={"conseiller": conseiller.email},
        )
    return acces


@transaction.atomic
def conseiller_revoquer(*, par: User, acces: AccesConseiller) -> AccesConseiller:
    if not _est_responsable(par, acces.tiers):
        raise PermissionDenied
    if acces.revoque_le is None:
        acces.revoque_le = timezone.now()
        acces.save(update_fields=["revoque_le"])
        audit.record(
            actor=par,
            action="conseiller.acces_revoque",
            target=acces.tiers,
            before={"conseiller": acces.conseiller.email},
            after={"revoque_le": acces.revoque_le},
        )
    return acces


@transaction.atomic
def suppression_demander(*, user: User) -> None:
    """An applicant asks for their account to be deleted: recorded, the Region is told, and the
    data of filed dossiers stays for the legal archiving period."""
    from django.conf import settings
    from django.core.mail import send_mail

    audit.record(actor=user, action="compte.suppression_demandee", target=user)
    transaction.on_commit(
        lambda: send_mail(
            "Demande de suppression de compte",
            f"{user.get_full_name()} ({user.email}) demande la suppression de son compte.",
            settings.DEFAULT_FROM_EMAIL,
            [settings.MDNA_CONTACT_EMAIL],
        )
    )
