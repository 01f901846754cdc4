"""Files exchanged with the accountant and the bank: exports built from the models through the
neutral data shape of ``paiements.exports``, and the import of the accountant's return file."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone

from dispositifs.engine.parsing import format_euros
from instruction.services import ActionRefusee
from mdna import audit
from mdna.models import TypeTiers, User
from paiements import exports
from paiements.exports import donnees
from paiements.exports.acquit import lire_pes_acquit
from paiements.exports.retour import lire_pes_retour
from paiements.models import (
    Acquit,
    Bordereau,
    Export,
    FormatExport,
    LigneMandat,
    Mandat,
    NatureRetour,
    RetourComptable,
    StatutExport,
    StatutMandat,
    TypeBordereau,
)
from paiements.services import _check_finances, mandat_marquer_paye

CATEGORIES = {
    TypeTiers.PARTICULIER: (donnees.CATEGORIE_PERSONNE_PHYSIQUE, "01"),
    TypeTiers.ENTREPRISE: (donnees.CATEGORIE_PERSONNE_MORALE_PRIVEE, "03"),
    TypeTiers.ASSOCIATION: (donnees.CATEGORIE_PERSONNE_MORALE_PRIVEE, "06"),
    TypeTiers.COLLECTIVITE: (donnees.CATEGORIE_COMMUNE, "09"),
    TypeTiers.ETABLISSEMENT_PUBLIC: ("24", "10"),
}


def collectivite() -> donnees.Collectivite:
    conf = settings.MDNA_PES
    return donnees.Collectivite(
        siret=conf["siret"],
        nom=settings.MDNA_REGION_NAME,
        code_collectivite=conf["code_collectivite"],
        code_budget=conf["code_budget"],
        code_poste=conf["code_poste"],
        libelle_poste=conf.get("libelle_poste"),
    )


def tiers_de(mandat: Mandat) -> donnees.Tiers:
    """The payee of a mandate. For a natural person, civility, first name and surname come
    from the engagement, where finance staff keep them (decision 0012)."""
    categorie, nature = CATEGORIES.get(mandat.tiers_type, CATEGORIES[TypeTiers.ASSOCIATION])
    nom, prenom, civilite = mandat.tiers_nom, None, ""
    if categorie == donnees.CATEGORIE_PERSONNE_PHYSIQUE:
        engagement = mandat.engagement
        civilite = engagement.civilite
        if not civilite:
            raise ValueError(
                f"Mandat {mandat.numero}/{mandat.exercice} : la civilité du bénéficiaire "
                f"{mandat.tiers_nom} (particulier) manque. Renseignez-la sur la page de "
                f"l'engagement du dossier {engagement.dossier.numero}, puis relancez l'export."
            )
        if engagement.nom_famille:
            nom, prenom = engagement.nom_famille, engagement.prenom or None
        elif " " in nom:
            prenom, nom = nom.split(" ", 1)
    return donnees.Tiers(
        nom=nom,
        prenom=prenom,
        civilite=civilite or None,
        adresse=mandat.tiers_adresse,
        code_postal=mandat.tiers_code_postal,
        ville=mandat.tiers_ville,
        iban=mandat.iban,
        bic=mandat.bic or None,
        siret=mandat.tiers_siret or None,
        categorie=categorie,
        nature_juridique=nature,
        titulaire_compte=mandat.tiers_titulaire or None,
        reference=f"T{mandat.tiers_id:06d}",
    )


def mandat_de(mandat: Mandat) -> donnees.Mandat:
    dossier = mandat.engagement.dossier
    return donnees.Mandat(
        numero=mandat.numero,
        exercice=mandat.exercice,
        date_emission=mandat.date_emission,
        objet=mandat.objet,
        tiers=tiers_de(mandat),
        lignes=tuple(
            donnees.LigneMandat(
                libelle=ligne.libelle,
                montant=ligne.montant,
                nature=ligne.nature,
                fonction=ligne.fonction or None,
                chapitre=ligne.chapitre or None,
                id_convention=dossier.numero if not mandat.origine_id else None,
                ligne_origine=ligne.numero if mandat.origine_id else None,
            )
            for ligne in mandat.lignes.all()
        ),
        nature_piece=mandat.engagement.section,
        mandat_origine=mandat.origine.numero if mandat.origine_id else None,
        exercice_origine=mandat.origine.exercice if mandat.origine_id else None,
    )


def mandats_du_bordereau(bordereau: Bordereau):
    return (
        bordereau.mandats.select_related("engagement__dossier", "origine")
        .prefetch_related(Prefetch("lignes", queryset=LigneMandat.objects.order_by("numero")))
        .order_by("numero")
    )


def bordereau_de(bordereau: Bordereau, cumul: object = None) -> donnees.Bordereau:
    return donnees.Bordereau(
        numero=bordereau.numero,
        exercice=bordereau.exercice,
        date_emission=bordereau.date_emission,
        type_bordereau=bordereau.type,
        mandats=tuple(mandat_de(m) for m in mandats_du_bordereau(bordereau)),
        cumul_annuel=cumul,
    )


def _bordereaux(ids: Iterable[int]) -> Iterator[donnees.Bordereau]:
    for bordereau in Bordereau.objects.filter(pk__in=list(ids)).order_by("exercice", "numero"):
        cumul = None
        if bordereau.type == TypeBordereau.ORDINAIRE:
            cumul = Bordereau.objects.filter(
                exercice=bordereau.exercice,
                type=TypeBordereau.ORDINAIRE,
                numero__lte=bordereau.numero,
            ).aggregate(t=Sum("montant_total"))["t"]
        yield bordereau_de(bordereau, cumul)


# --- Exports ----------------------------------------------------------------------------------


@transaction.atomic
def export_demander(*, format: str, bordereaux: list[Bordereau], par: User) -> Export:
    """Record the request; the file is built by a task on the ``exports`` queue after commit."""
    _check_finances(par)
    if format not in FormatExport.values:
        raise ActionRefusee("Format d'export inconnu.")
    if not bordereaux:
        raise ActionRefusee("Choisissez au moins un bordereau.")
    if format == FormatExport.SEPA and any(b.type == TypeBordereau.ANNULATION for b in bordereaux):
        raise ActionRefusee("Une annulation-réduction ne se paie pas par virement : pas de SEPA.")
    if format == FormatExport.PES:
        sans_civilite = sorted(
            set(
                Mandat.objects.filter(
                    bordereau__in=bordereaux,
                    tiers_type=TypeTiers.PARTICULIER,
                    engagement__civilite="",
                ).values_list("engagement__dossier__numero", flat=True)
            )
        )
        if sans_civilite:
            raise ActionRefusee(
                "Le PES exige la civilité des bénéficiaires particuliers. Renseignez-la sur "
                "l'engagement des dossiers : " + ", ".join(sans_civilite) + "."
            )
    export = Export.objects.create(format=format, cree_par=par)
    export.bordereaux.set(bordereaux)
    audit.record(
        actor=par,
        action="export.demande",
        target=export,
        after={"format": format, "bordereaux": [str(b) for b in bordereaux]},
    )
    from paiements.tasks import construire_export

    transaction.on_commit(lambda: construire_export.delay(export.pk))
    return export


def export_construire(*, export_id: int) -> Export:
    """Build, validate and store the file once. Idempotent: a finished export is left as is.
    A PES or SEPA file that does not validate is never stored: its errors are shown instead."""
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export_id)
        if export.statut != StatutExport.EN_ATTENTE:
            return export
        ids = list(export.bordereaux.values_list("pk", flat=True))
        horodatage = timezone.localtime()
        nom = f"{export.format.upper()}_{horodatage:%Y%m%d_%H%M%S}_{export.pk:05d}"
        try:
            contenu, extension = _construire(export.format, ids, nom, horodatage.date())
        except ValueError as exc:
            export.statut = StatutExport.INVALIDE
            export.erreurs = [str(exc)]
        else:
            if isinstance(contenu, list):  # XSD errors
                export.statut = StatutExport.INVALIDE
                export.erreurs = contenu
            else:
                export.nom = f"{nom}.{extension}"
                export.sha256 = hashlib.sha256(contenu).hexdigest()
                export.taille = len(contenu)
                export.fichier.save(export.nom, ContentFile(contenu), save=False)
                export.statut = StatutExport.PRET
        export.termine_le = timezone.now()
        export.save()
        audit.record(
            actor=None,
            action="export.construit",
            target=export,
            after={"statut": export.statut, "sha256": export.sha256, "erreurs": export.erreurs[:5]},
        )
        return export


def _construire(format: str, ids: list[int], nom: str, jour: dt.date):
    if format == FormatExport.PES:
        with tempfile.TemporaryDirectory() as dossier:
            chemin = Path(dossier) / f"{nom}.xml"
            exports.write_pes_aller(
                chemin, collectivite(), _bordereaux(ids), nom_fichier=f"{nom}.xml", date=jour
            )
            erreurs = exports.validate_pes(chemin)
            return (erreurs or chemin.read_bytes()), "xml"
    if format == FormatExport.SEPA:
        conf = settings.MDNA_SEPA_EMETTEUR
        emetteur = donnees.Emetteur(nom=conf["nom"], iban=conf["iban"], bic=conf.get("bic"))
        mandats = (m for b in _bordereaux(ids) for m in b.mandats)
        return exports.build_sepa_pain001(emetteur, mandats, execution_date=jour), "xml"
    return exports.build_csv(_bordereaux(ids)), "csv"


# --- Return file ------------------------------------------------------------------------------


@transaction.atomic
def retour_importer(*, fichier, par: User) -> RetourComptable:
    """Read a PES_Retour (domaine dépense): every paid mandate line marks its mandate paid on
    the accountant's date. Unknown mandates, amounts that differ and rejections are listed."""
    _check_finances(par)
    contenu = fichier.read()
    empreinte = hashlib.sha256(contenu).hexdigest()
    if RetourComptable.objects.filter(sha256=empreinte).exists():
        raise ActionRefusee("Ce fichier de retour a déjà été importé.")
    lecture = lire_pes_retour(contenu)
    if lecture.erreurs:
        raise ActionRefusee(
            "Le fichier n'est pas un PES retour conforme : " + " ; ".join(lecture.erreurs[:5])
        )
    payes, anomalies = 0, []
    for info in lecture.pieces:
        mandat = Mandat.objects.filter(
            exercice=info.exercice, numero=info.numero, origine__isnull=True
        ).first()
        quoi = f"Mandat {info.numero}/{info.exercice}"
        if mandat is None:
            anomalies.append(f"{quoi} : inconnu dans MDNA.")
            continue
        if info.rejete:
            anomalies.append(f"{quoi} : rejeté par le comptable ({info.motif or 'sans motif'}).")
            if mandat.statut == StatutMandat.EMIS:
                Mandat.objects.filter(pk=mandat.pk).update(statut=StatutMandat.REJETE)
                audit.record(
                    actor=par, action="mandat.rejete", target=mandat, after={"motif": info.motif}
                )
            continue
        if info.date_paiement is None:
            continue  # taken in charge, not paid yet
        if info.montant_paye is not None and info.montant_paye != mandat.montant:
            anomalies.append(
                f"{quoi} : payé {format_euros(info.montant_paye)} pour un mandat de {format_euros(mandat.montant)}."
            )
        try:
            if mandat_marquer_paye(mandat=mandat, par=par, le=info.date_paiement, source="retour"):
                payes += 1
        except ActionRefusee as exc:
            anomalies.append(f"{quoi} : {exc}")
    retour = RetourComptable(
        nom=fichier.name[:255],
        sha256=empreinte,
        mandats_payes=payes,
        anomalies=anomalies,
        importe_par=par,
        importe_le=timezone.now(),
    )
    retour.fichier.save(Path(fichier.name).name, ContentFile(contenu), save=False)
    retour.save()
    audit.record(
        actor=par,
        action="retour.importe",
        target=retour,
        after={"payes": payes, "anomalies": anomalies[:20]},
    )
    return retour


# --- Accountant's acknowledgement (PES_ACQUIT) -------------------------------------------------

_RACINE_ACQUIT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?PES_ACQUIT[\s>/]")


def est_acquit(fichier) -> bool:
    """True when the uploaded file's root element is a PES_ACQUIT (checked on its first bytes)."""
    debut = fichier.read(4096)
    fichier.seek(0)
    return bool(_RACINE_ACQUIT.search(debut))


@transaction.atomic
def acquit_importer(*, fichier, par: User) -> RetourComptable:
    """Read the accountant's acknowledgement of an exported PES: the export (found by its file
    name) and each bordereau named in it are marked accepted or rejected, with the accountant's
    reasons. A file-level rejection (technical check, signature) rejects every bordereau of the
    export: nothing of it was taken in charge."""
    _check_finances(par)
    contenu = fichier.read()
    empreinte = hashlib.sha256(contenu).hexdigest()
    if RetourComptable.objects.filter(sha256=empreinte).exists():
        raise ActionRefusee("Ce fichier a déjà été importé.")
    lecture = lire_pes_acquit(contenu)
    if lecture.erreurs:
        raise ActionRefusee(
            "Le fichier n'est pas un accusé de réception (PES_ACQUIT) conforme : "
            + " ; ".join(lecture.erreurs[:5])
        )
    maintenant = timezone.now()
    export = (
        Export.objects.select_for_update()
        .filter(format=FormatExport.PES, nom=lecture.nom_fichier)
        .first()
        if lecture.nom_fichier
        else None
    )
    anomalies: list[str] = []
    motifs_fichier: list[str] = []
    fichier_rejete = False
    verdicts: dict[int, tuple[Bordereau, bool, list[str]]] = {}
    for element in lecture.elements:
        if element.bordereau is None:
            if not element.accepte:
                fichier_rejete = True
                motifs_fichier += [
                    f"{element.libelle_domaine.capitalize()} : {m}"
                    for m in element.motifs or ["rejet sans motif"]
                ]
            continue
        bordereau = _bordereau_acquitte(element, export)
        if bordereau is None:
            anomalies.append(
                f"Bordereau {element.bordereau}/{element.exercice or '?'} : inconnu dans MDNA."
            )
            continue
        _, accepte, motifs = verdicts.get(bordereau.pk, (bordereau, True, []))
        verdicts[bordereau.pk] = (bordereau, accepte and element.accepte, motifs + element.motifs)
    if export is not None:
        for bordereau in export.bordereaux.all():
            if fichier_rejete:
                verdicts[bordereau.pk] = (bordereau, False, motifs_fichier)
            else:
                verdicts.setdefault(bordereau.pk, (bordereau, True, []))
    elif lecture.nom_fichier:
        anomalies.append(f"Aucun export PES de MDNA ne s'appelle « {lecture.nom_fichier} ».")
    acceptes = rejetes = 0
    for bordereau, accepte, motifs in verdicts.values():
        avant = {"acquit": bordereau.acquit, "motifs": bordereau.acquit_motifs}
        bordereau.acquit = Acquit.ACCEPTE if accepte else Acquit.REJETE
        bordereau.acquit_motifs = [] if accepte else (motifs or ["Rejet sans motif."])
        bordereau.acquit_le = maintenant
        bordereau.save(update_fields=["acquit", "acquit_motifs", "acquit_le"])
        acceptes, rejetes = acceptes + accepte, rejetes + (not accepte)
        audit.record(
            actor=par,
            action="bordereau.acquitte" if accepte else "bordereau.rejete_comptable",
            target=bordereau,
            before=avant,
            after={"acquit": bordereau.acquit, "motifs": bordereau.acquit_motifs[:20]},
        )
    if export is not None:
        export.acquit = Acquit.REJETE if fichier_rejete or rejetes else Acquit.ACCEPTE
        export.acquit_motifs = motifs_fichier + [
            f"{b} : {m}"
            for b, ok, ms in verdicts.values()
            if not ok and ms != motifs_fichier
            for m in ms
        ]
        export.acquit_le = maintenant
        export.save(update_fields=["acquit", "acquit_motifs", "acquit_le"])
    retour = RetourComptable(
        nature=NatureRetour.ACQUIT,
        nom=fichier.name[:255],
        sha256=empreinte,
        acceptes=acceptes,
        rejetes=rejetes,
        anomalies=anomalies,
        importe_par=par,
        importe_le=maintenant,
    )
    retour.fichier.save(Path(fichier.name).name, ContentFile(contenu), save=False)
    retour.save()
    audit.record(
        actor=par,
        action="acquit.importe",
        target=retour,
        after={
            "export": export.nom if export else None,
            "acceptes": acceptes,
            "rejetes": rejetes,
            "anomalies": anomalies[:20],
        },
    )
    return retour


def _bordereau_acquitte(element, export: Export | None) -> Bordereau | None:
    bordereaux = Bordereau.objects.select_for_update().filter(numero=element.bordereau)
    if element.exercice is not None:
        return bordereaux.filter(exercice=element.exercice).first()
    if export is not None:
        return bordereaux.filter(exports=export).first()
    return None
