"""Export of the filtered work queue to CSV or XLSX, produced in Celery (queue ``exports``).

The rows are exactly those of the queue: the same FileFilter over the same scope
(``selectors.perimetre`` of the author, computed when the file is produced). They are read with
one query through a database cursor, in batches of ``TAILLE_LOT``; the progress is saved after
each batch, so the number of queries depends on the number of batches, never on the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import tempfile
from collections.abc import Iterator

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dispositifs import territoires
from dispositifs.models import Etat
from instruction import selectors
from instruction.filters import FileFilter
from instruction.models import ExportFile, FormatExport, StatutExport
from mdna import audit
from paiements.exports.csv_export import montant_fr

TAILLE_LOT = 2000
logger = logging.getLogger(__name__)
ENTETES = (
    "Numéro",
    "Dispositif",
    "Demandeur",
    "SIRET",
    "Commune",
    "Département",
    "Montant demandé (€)",
    "État",
    "Instructeur",
    "Déposé le",
    "Jours depuis le dépôt",
    "En retard",
)
CHAMPS = (
    "numero",
    "dispositif__nom",
    "nom_demandeur",
    "siret",
    "commune",
    "departement",
    "montant_demande",
    "etat",
    "instructeur__first_name",
    "instructeur__last_name",
    "instructeur__email",
    "depose_le",
)
_DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")
LIBELLES_ETAT = {e.value: str(e.label) for e in Etat}


def texte_sur(texte: str | None) -> str:
    """Free text that a spreadsheet will never run as a formula."""
    texte = " ".join((texte or "").split())
    return f"'{texte}" if texte.startswith(_DEBUTS_FORMULE) else texte


def filtre_pour(export: ExportFile) -> FileFilter:
    """The queue's FileFilter with the export's parameters, over its author's scope."""
    donnees = QueryDict(export.parametres)
    return FileFilter(
        donnees or None, queryset=selectors.perimetre(export.auteur), user=export.auteur
    )


def lignes(queryset, *, maintenant: dt.datetime | None = None) -> Iterator[tuple]:
    """One tuple per dossier, typed (Decimal amount, date, int days, bool late)."""
    maintenant = maintenant or timezone.now()
    limite = maintenant - selectors.delai_instruction()
    rows = queryset.select_related(None).values_list(*CHAMPS).iterator(chunk_size=TAILLE_LOT)
    for (
        numero,
        dispositif,
        demandeur,
        siret,
        code_commune,
        departement,
        montant,
        etat,
        prenom,
        nom,
        email,
        depose_le,
    ) in rows:
        commune = territoires.commune(code_commune) if code_commune else None
        instructeur = f"{prenom} {nom}".strip() or (email or "")
        yield (
            numero or "",
            dispositif,
            demandeur,
            siret,
            commune.nom if commune else code_commune,
            departement,
            montant,
            LIBELLES_ETAT.get(etat, etat),
            instructeur,
            timezone.localtime(depose_le).date() if depose_le else None,
            (maintenant - depose_le).days if depose_le else None,
            bool(depose_le and etat in selectors.EN_COURS and depose_le < limite),
        )


def _csv(rows: Iterator[tuple], sortie, progression) -> None:
    """UTF-8 with BOM, ``;`` separator, decimal comma: what a French spreadsheet opens as is."""
    texte = io.TextIOWrapper(sortie, encoding="utf-8-sig", newline="")
    ecrivain = csv.writer(texte, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(ENTETES)
    for n, row in enumerate(rows, 1):
        (
            numero,
            dispositif,
            demandeur,
            siret,
            commune,
            dept,
            montant,
            etat,
            instr,
            jour,
            jours,
            retard,
        ) = row
        ecrivain.writerow(
            (
                numero,
                texte_sur(dispositif),
                texte_sur(demandeur),
                siret,
                texte_sur(commune),
                dept,
                montant_fr(montant) if montant is not None else "",
                etat,
                texte_sur(instr),
                jour.strftime("%d/%m/%Y") if jour else "",
                "" if jours is None else jours,
                "oui" if retard else "non",
            )
        )
        progression(n)
    texte.flush()
    texte.detach()


def _xlsx(rows: Iterator[tuple], sortie, progression) -> None:
    """A write-only workbook (constant memory), amounts and dates as real numbers and dates."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Dossiers")
    feuille.freeze_panes = "A2"
    gras = Font(bold=True)
    entetes = []
    for titre in ENTETES:
        cellule = WriteOnlyCell(feuille, value=titre)
        cellule.font = gras
        entetes.append(cellule)
    feuille.append(entetes)
    for n, row in enumerate(rows, 1):
        (
            numero,
            dispositif,
            demandeur,
            siret,
            commune,
            dept,
            montant,
            etat,
            instr,
            jour,
            jours,
            retard,
        ) = row
        cellule_montant = WriteOnlyCell(feuille, value=montant)
        cellule_montant.number_format = "#,##0.00"
        cellule_jour = WriteOnlyCell(feuille, value=jour)
        cellule_jour.number_format = "DD/MM/YYYY"
        feuille.append(
            [
                numero,
                texte_sur(dispositif),
                texte_sur(demandeur),
                siret,
                texte_sur(commune),
                dept,
                cellule_montant,
                etat,
                texte_sur(instr),
                cellule_jour,
                jours,
                "oui" if retard else "non",
            ]
        )
        progression(n)
    classeur.save(sortie)


def export_produire(*, export_id: int) -> ExportFile:
    """Produce the file of an export (the Celery task's body). Idempotent: a finished export is
    left as it is; a failed or interrupted one is produced again from the start."""
    export = ExportFile.objects.select_related("auteur").get(pk=export_id)
    if export.statut == StatutExport.TERMINE:
        return export
    filtre = filtre_pour(export)
    queryset = filtre.qs
    total = queryset.count()
    ExportFile.objects.filter(pk=export.pk).update(
        statut=StatutExport.EN_COURS, total=total, traites=0, erreur=""
    )

    def progression(n: int) -> None:
        if n % TAILLE_LOT == 0:
            ExportFile.objects.filter(pk=export.pk).update(traites=n)

    nom = f"dossiers-{timezone.localtime():%Y%m%d-%H%M}.{export.format}"
    try:
        with tempfile.TemporaryFile() as sortie:
            ecrire = _xlsx if export.format == FormatExport.XLSX else _csv
            ecrire(lignes(queryset), sortie, progression)
            sortie.seek(0)
            export.fichier.save(nom, File(sortie), save=False)
    except Exception:
        logger.exception("Export %s : échec de production", export.pk)
        ExportFile.objects.filter(pk=export.pk).update(
            statut=StatutExport.ECHEC,
            erreur="Le fichier n'a pas pu être produit. Relancez l'export ; si l'échec se "
            "répète, signalez-le à l'assistance en donnant l'heure.",
        )
        export.refresh_from_db()
        return export
    return _terminer(export=export, nom=nom, total=total)


@transaction.atomic
def _terminer(*, export: ExportFile, nom: str, total: int) -> ExportFile:
    export.nom = nom
    export.statut = StatutExport.TERMINE
    export.total = export.traites = total
    export.termine_le = timezone.now()
    export.erreur = ""
    export.save(
        update_fields=["fichier", "nom", "statut", "total", "traites", "termine_le", "erreur"]
    )
    audit.record(
        actor=export.auteur,
        action="file.export_produit",
        target=export,
        after={"format": export.format, "dossiers": total, "fichier": nom},
    )
    return export
