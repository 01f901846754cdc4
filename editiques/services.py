"""Writes of the éditiques app. Callers ask for a document inside their own transaction; the
document is rendered by a Celery worker after commit, once per event."""

import datetime as dt
import hashlib
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, Template
from django.utils import timezone

from editiques import catalogue, rendu
from editiques.models import (
    Compteur,
    CopieSignee,
    Document,
    LotDocuments,
    Statut,
    TexteSurcharge,
    TypeDocument,
)
from editiques.selectors import TYPES_INTERNES, peut_deposer_copie
from mdna import audit
from mdna.models import DocumentCoffre, User
from mdna.models import TypeDocument as TypeCoffre

logger = logging.getLogger(__name__)

FILE_RENDU = "editiques"  # the Celery queue of the renderers


class DocumentInconnu(ValueError):
    pass


def _numero(type: str, annee: int) -> str:
    """Next number for (type, year), gapless: the counter row is locked until the caller's
    transaction ends, and a rollback gives the number back."""
    Compteur.objects.get_or_create(type=type, annee=annee)
    compteur = Compteur.objects.select_for_update().get(type=type, annee=annee)
    compteur.dernier = F("dernier") + 1
    compteur.save(update_fields=["dernier"])
    compteur.refresh_from_db(fields=["dernier"])
    return f"{catalogue.MODELES[type].prefixe}-{annee}-{compteur.dernier:06d}"


def _planifier(document_id: int) -> None:
    from editiques.tasks import rendre_document

    rendre_document.apply_async(args=[document_id], queue=FILE_RENDU)


@transaction.atomic
def document_demander(
    *,
    type: str,
    par: User | None,
    cle_evenement: str,
    dossier=None,
    tiers=None,
    contexte: dict | None = None,
    lot: LotDocuments | None = None,
) -> None:
    """Record the request for the document of one event; it is rendered after commit.

    Idempotent on (type, cle_evenement): a second call for the same event does nothing. A
    rolled-back caller issues nothing (the row, its number and the task go with it)."""
    if type not in TypeDocument.values:
        raise DocumentInconnu(f"Type de document inconnu : {type!r}")
    if not cle_evenement:
        raise ValueError("cle_evenement est obligatoire (elle rend la demande idempotente).")
    if Document.objects.filter(type=type, cle_evenement=cle_evenement).exists():
        return
    if tiers is None and dossier is not None:
        tiers = dossier.tiers
    maintenant = timezone.now()
    try:
        with transaction.atomic():
            document = Document.objects.create(
                type=type,
                annee=timezone.localtime(maintenant).year,
                numero=_numero(type, timezone.localtime(maintenant).year),
                cle_evenement=cle_evenement[:200],
                dossier=dossier,
                tiers=tiers,
                lot=lot,
                contexte=contexte or {},
                demande_par=par,
                demande_le=maintenant,
            )
    except IntegrityError:
        # The same event was requested by a concurrent transaction that committed first.
        return
    audit.record(
        actor=par,
        action="editique.demande",
        target=document,
        after={"type": type, "numero": document.numero, "evenement": cle_evenement},
    )
    transaction.on_commit(lambda: _planifier(document.pk), robust=True)


@transaction.atomic
def document_corriger(*, document: Document, par: User, motif: str, contexte: dict | None = None):
    """Issue a corrected version: a new document that supersedes ``document``; both are kept."""
    actuel = Document.objects.select_for_update().get(pk=document.pk)
    if Document.objects.filter(remplace=actuel).exists():
        raise ValueError("Ce document a déjà été corrigé : corrigez sa dernière version.")
    if actuel.statut != Statut.RENDU:
        raise ValueError("Seul un document émis peut être corrigé.")
    if not motif.strip():
        raise ValueError("Indiquez le motif de la correction.")
    nouveau = Document.objects.create(
        type=actuel.type,
        annee=actuel.annee,
        numero=f"{actuel.numero.split('/')[0]}/{actuel.version + 1}",
        cle_evenement=actuel.cle_evenement,
        version=actuel.version + 1,
        remplace=actuel,
        motif_correction=motif.strip(),
        dossier=actuel.dossier,
        tiers=actuel.tiers,
        contexte={**actuel.contexte, **(contexte or {})},
        demande_par=par,
    )
    audit.record(
        actor=par,
        action="editique.corrige",
        target=nouveau,
        before={"numero": actuel.numero, "version": actuel.version},
        after={"numero": nouveau.numero, "version": nouveau.version, "motif": motif.strip()},
    )
    transaction.on_commit(lambda: _planifier(nouveau.pk), robust=True)
    return nouveau


@transaction.atomic
def lot_creer(*, libelle: str, par: User) -> LotDocuments:
    lot = LotDocuments.objects.create(libelle=libelle, cree_par=par)
    audit.record(actor=par, action="editique.lot_cree", target=lot, after={"libelle": libelle})
    return lot


def surcharge_active(*, type: str, dispositif) -> TexteSurcharge | None:
    if dispositif is None:
        return None
    return (
        TexteSurcharge.objects.filter(dispositif=dispositif, type=type, actif=True)
        .order_by("-version")
        .first()
    )


def _textes(surcharge: TexteSurcharge | None, donnees: dict) -> dict:
    if surcharge is None:
        return {}
    variables = Context(
        {
            "demandeur": donnees["destinataire"]["nom"],
            "dossier": (donnees.get("dossier") or {}).get("numero", ""),
            "titre": (donnees.get("dossier") or {}).get("titre", ""),
            "dispositif": (donnees.get("dossier") or {}).get("dispositif", ""),
            "montant": donnees["montant"]["chiffres"],
            "date": donnees["date_texte"],
        }
    )
    return {
        "introduction": Template(surcharge.introduction).render(variables).strip(),
        "complement": Template(surcharge.complement).render(variables).strip(),
    }


def composer(
    *,
    type: str,
    numero: str,
    date,
    dossier=None,
    tiers=None,
    contexte: dict | None = None,
    version: int = 1,
    remplace: str = "",
    motif_correction: str = "",
    projet: bool = False,
    surcharge: TexteSurcharge | None = None,
) -> tuple[dict, str, str]:
    """The data snapshot, the template version and the HTML of a document."""
    donnees = catalogue.construire(
        type=type,
        numero=numero,
        date=date,
        dossier=dossier,
        tiers=tiers,
        contexte=contexte,
        version=version,
        remplace=remplace,
        projet=projet,
    )
    donnees["motif_correction"] = motif_correction
    if surcharge is None and dossier is not None:
        surcharge = surcharge_active(type=type, dispositif=dossier.dispositif)
    donnees["textes"] = _textes(surcharge, donnees)
    gabarit_version = f"{type}@{catalogue.VERSION_GABARITS}"
    if surcharge is not None:
        gabarit_version += f"+texte-v{surcharge.version}"
    html = rendu.rendre_html(type, {"d": donnees, "projet": projet})
    return donnees, gabarit_version, html


def document_rendre(*, document_id: int) -> str:
    """Render one requested document, once. Called by the Celery task; safe to run twice or
    concurrently: the PDF is built outside any transaction, then stored under the row lock only
    if the document is still unrendered, so a duplicate run stores nothing."""
    document = (
        Document.objects.select_related(
            "dossier__dispositif__service", "dossier__tiers", "tiers", "remplace"
        )
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return "absent"
    if document.statut == Statut.RENDU:
        return Statut.RENDU
    try:
        donnees, gabarit_version, html = composer(
            type=document.type,
            numero=document.numero,
            date=timezone.localtime(document.demande_le),
            dossier=document.dossier,
            tiers=document.tiers,
            contexte=document.contexte,
            version=document.version,
            remplace=document.remplace.numero if document.remplace else "",
            motif_correction=document.motif_correction,
        )
        pdf = rendu.html_vers_pdf(html, titre=str(document))
    except Exception as exc:  # noqa: BLE001 - any template/data error is recorded
        logger.exception("Échec du rendu du document %s", document.numero)
        return _echec(document_id, f"{type(exc).__name__}: {exc}"[:4000])
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("remplace")
            .get(pk=document_id)
        )
        if document.statut == Statut.RENDU:
            return Statut.RENDU  # a duplicate run finished first: keep its file
        document.tentatives += 1
        document.donnees = donnees
        document.gabarit_version = gabarit_version
        document.sha256 = rendu.sha256(pdf)
        document.taille = len(pdf)
        document.fichier.save(document.nom_fichier, ContentFile(pdf), save=False)
        document.statut = Statut.RENDU
        document.erreur = ""
        document.rendu_le = timezone.now()
        if document.tiers_id and document.type not in TYPES_INTERNES:
            document.coffre = _deposer_au_coffre(document)
        document.save()
        audit.record(
            actor=None,
            action="editique.emis",
            target=document,
            after={
                "numero": document.numero,
                "sha256": document.sha256,
                "version": document.version,
            },
        )
    return Statut.RENDU


def _echec(document_id: int, erreur: str) -> str:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.statut == Statut.RENDU:
            return Statut.RENDU
        document.tentatives += 1
        document.statut = Statut.ECHEC
        document.erreur = erreur
        document.save(update_fields=["statut", "erreur", "tentatives"])
        audit.record(
            actor=None,
            action="editique.echec",
            target=document,
            after={"erreur": erreur[:500], "tentatives": document.tentatives},
        )
    return Statut.ECHEC


def _deposer_au_coffre(document: Document) -> DocumentCoffre:
    """The issued document in the applicant's digital safe (same stored file, never copied)."""
    if document.remplace and document.remplace.coffre_id:
        DocumentCoffre.objects.filter(pk=document.remplace.coffre_id).update(archive=True)
    return DocumentCoffre.objects.create(
        tiers_id=document.tiers_id,
        type=TypeCoffre.COURRIER_REGION,
        fichier=document.fichier.name,
        nom=f"{document.get_type_display()} {document.nom_fichier}",
        taille=document.taille,
        sha256=document.sha256,
        emis_par_region=True,
        dossier_id=document.dossier_id,
    )


@transaction.atomic
def document_relancer(*, document: Document, par: User) -> None:
    """Re-run a failed render (admin action), after the template or data was fixed."""
    actuel = Document.objects.select_for_update().get(pk=document.pk)
    if actuel.statut != Statut.ECHEC:
        return
    Document.objects.filter(pk=actuel.pk).update(statut=Statut.DEMANDE)
    audit.record(
        actor=par, action="editique.relance", target=actuel, before={"erreur": actuel.erreur[:500]}
    )
    transaction.on_commit(lambda: _planifier(actuel.pk), robust=True)


def apercu(*, type: str, dossier, par: User, contexte: dict | None = None) -> bytes:
    """A draft of the document an event would issue, watermarked « PROJET », never stored."""
    if type not in TypeDocument.values:
        raise DocumentInconnu(f"Type de document inconnu : {type!r}")
    _, _, html = composer(
        type=type,
        numero="PROJET",
        date=timezone.localtime(),
        dossier=dossier,
        tiers=dossier.tiers,
        contexte=contexte,
        projet=True,
    )
    audit.record(actor=par, action="editique.apercu", target=dossier, after={"type": type})
    return rendu.html_vers_pdf(html, pdfa=False)


@transaction.atomic
def copie_signee_deposer(*, document: Document, fichier, par: User) -> CopieSignee:
    """Keep the signed copy (scanned or signed elsewhere) beside the generated original."""
    if not peut_deposer_copie(par, document):
        raise PermissionDenied
    digest = hashlib.sha256()
    fichier.seek(0)
    for bloc in iter(lambda: fichier.read(65536), b""):
        digest.update(bloc)
    fichier.seek(0)
    copie = CopieSignee(
        document=document,
        nom=fichier.name[:255],
        taille=fichier.size,
        sha256=digest.hexdigest(),
        deposee_par=par,
    )
    copie.fichier.save(
        f"{document.numero.replace('/', '-')}-signe-{fichier.name}", fichier, save=False
    )
    copie.save()
    audit.record(
        actor=par,
        action="editique.copie_signee",
        target=document,
        after={"nom": copie.nom, "sha256": copie.sha256, "taille": copie.taille},
    )
    return copie


@transaction.atomic
def lot_archive_demander(*, lot: LotDocuments, format: str, par: User) -> None:
    """Ask for the lot's documents as one ZIP (one PDF per document) or one merged PDF."""
    if format not in ("zip", "pdf"):
        raise ValueError("Format inconnu : choisissez ZIP ou PDF.")
    LotDocuments.objects.filter(pk=lot.pk).update(
        archive_format=format, archive_statut="en_cours", archive_progression=0, archive=""
    )
    audit.record(actor=par, action="editique.lot_archive", target=lot, after={"format": format})

    def planifier():
        from editiques.tasks import construire_archive

        construire_archive.apply_async(args=[lot.pk], queue=FILE_RENDU)

    transaction.on_commit(planifier, robust=True)


@transaction.atomic
def texte_surcharger(
    *, dispositif, type: str, introduction: str, complement: str, par: User
) -> TexteSurcharge:
    """A new version of a scheme's wording of a letter (earlier versions are kept)."""
    for texte in (introduction, complement):
        Template(texte)  # a syntax error is refused here, not at render time
    derniere = (
        TexteSurcharge.objects.select_for_update()
        .filter(dispositif=dispositif, type=type)
        .order_by("-version")
        .first()
    )
    surcharge = TexteSurcharge.objects.create(
        dispositif=dispositif,
        type=type,
        version=(derniere.version + 1) if derniere else 1,
        introduction=introduction,
        complement=complement,
        cree_par=par,
    )
    audit.record(
        actor=par,
        action="editique.texte_modifie",
        target=surcharge,
        before={"version": derniere.version} if derniere else None,
        after={"version": surcharge.version, "type": type},
    )
    return surcharge


def apercu_surcharge(*, surcharge: TexteSurcharge, par: User) -> bytes:
    """Preview of a wording on the scheme's latest filed dossier (or blank data)."""
    dossier = (
        surcharge.dispositif.dossiers.exclude(numero=None)
        .select_related("tiers", "dispositif__service")
        .order_by("-depose_le")
        .first()
    )
    _, _, html = composer(
        type=surcharge.type,
        numero="PROJET",
        date=timezone.localtime(),
        dossier=dossier,
        tiers=dossier.tiers if dossier else None,
        projet=True,
        surcharge=surcharge,
    )
    audit.record(actor=par, action="editique.apercu", target=surcharge)
    return rendu.html_vers_pdf(html, pdfa=False)


def demandes_rattraper(*, age_minutes: int = 10) -> int:
    limite = timezone.now() - dt.timedelta(minutes=age_minutes)
    ids = list(
        Document.objects.filter(statut=Statut.DEMANDE, demande_le__lt=limite).values_list(
            "pk", flat=True
        )[:1000]
    )
    for pk in ids:
        _planifier(pk)
    return len(ids)


@transaction.atomic
def selection_creer(*, documents: list[Document], libelle: str, format: str, par: User):
    """A lot made of already issued documents the agent may see, and its batch file."""
    from editiques.selectors import documents_visibles

    visibles = list(documents_visibles(par).filter(pk__in=[d.pk for d in documents]))
    if len(visibles) != len({d.pk for d in documents}):
        raise PermissionDenied
    lot = lot_creer(libelle=libelle, par=par)
    lot.selection.set(visibles)
    lot_archive_demander(lot=lot, format=format, par=par)
    return lot
