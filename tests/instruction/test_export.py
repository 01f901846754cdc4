"""Marc exports his filtered queue to CSV and XLSX: the file read back holds his Service's
dossiers matching the filters, nothing else; only he downloads it again; progress is visible."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dispositifs.models import Dossier
from instruction import exports, services
from instruction.models import ExportFile, StatutExport
from mdna.models import AuditEvent
from tests.factories import DispositifFactory, ServiceFactory, UserFactory
from tests.instruction.conftest import deposer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def portefeuille(festivals, association, claire, marc):
    """Three dossiers of Marc's Service (two in Haute-Vienne, one late) and one of another."""
    limoges = deposer(festivals, association, claire)
    Dossier.objects.filter(pk=limoges.pk).update(
        montant_demande=Decimal("4321.50"),
        instructeur=marc,
        depose_le=timezone.now() - dt.timedelta(days=75),
    )
    second = deposer(festivals, association, claire)
    Dossier.objects.filter(pk=second.pk).update(montant_demande=Decimal("900.00"))
    ailleurs = deposer(festivals, association, claire)
    Dossier.objects.filter(pk=ailleurs.pk).update(commune="33063", departement="33")
    autre = DispositifFactory(publie=True, service=ServiceFactory(code="DEI", nom="Économie"))
    hors_perimetre = deposer(autre, association, claire)
    return {
        "limoges": Dossier.objects.get(pk=limoges.pk),
        "second": Dossier.objects.get(pk=second.pk),
        "ailleurs": Dossier.objects.get(pk=ailleurs.pk),
        "hors": hors_perimetre,
    }


def _exporter(client, user, fmt, parametres, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("instruction:export_demander"), {"format": fmt, "parametres": parametres}
        )
    assert response.status_code == 302
    export = ExportFile.objects.filter(auteur=user).latest("cree_le")
    assert response["Location"] == reverse("instruction:export", args=[export.pk])
    return export


def _telecharger(client, export) -> bytes:
    response = client.get(reverse("instruction:export_telecharger", args=[export.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_csv_export_has_one_row_per_dossier_matching_the_filters_in_scope(
    client, marc, portefeuille, django_capture_on_commit_callbacks
):
    export = _exporter(
        client, marc, "csv", "departement=87&tri=-montant", django_capture_on_commit_callbacks
    )
    export.refresh_from_db()
    assert export.statut == StatutExport.TERMINE and export.total == 2
    contenu = _telecharger(client, export)
    assert contenu.startswith("\ufeff".encode())  # opens as UTF-8 in a French spreadsheet
    rows = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(exports.ENTETES)
    assert [r[0] for r in rows[1:]] == [
        portefeuille["limoges"].numero,  # sorted by amount, decreasing, as asked
        portefeuille["second"].numero,
    ]
    ligne = dict(zip(rows[0], rows[1], strict=True))
    assert ligne["Dispositif"] == "Soutien aux festivals"
    assert ligne["Demandeur"] == portefeuille["limoges"].nom_demandeur
    assert ligne["SIRET"] == "73282932000074"
    assert ligne["Commune"] == "Limoges" and ligne["Département"] == "87"
    assert ligne["Montant demandé (€)"] == "4321,50"
    assert ligne["État"] == "Déposé"
    assert ligne["Instructeur"] == "Marc " + marc.last_name
    assert ligne["Jours depuis le dépôt"] == "75" and ligne["En retard"] == "oui"
    assert ligne["Déposé le"] == timezone.localtime(portefeuille["limoges"].depose_le).strftime(
        "%d/%m/%Y"
    )
    assert dict(zip(rows[0], rows[2], strict=True))["En retard"] == "non"
    assert portefeuille["hors"].numero not in contenu.decode("utf-8-sig")


def test_xlsx_export_read_back_with_typed_cells_and_nothing_of_another_service(
    client, marc, portefeuille, django_capture_on_commit_callbacks
):
    export = _exporter(client, marc, "xlsx", "", django_capture_on_commit_callbacks)
    classeur = openpyxl.load_workbook(io.BytesIO(_telecharger(client, export)))
    feuille = classeur["Dossiers"]
    rows = list(feuille.iter_rows(values_only=True))
    assert rows[0] == exports.ENTETES
    numeros = {r[0] for r in rows[1:]}
    assert numeros == {portefeuille[k].numero for k in ("limoges", "second", "ailleurs")}
    assert portefeuille["hors"].numero not in numeros
    limoges = next(r for r in rows if r[0] == portefeuille["limoges"].numero)
    assert Decimal(str(limoges[6])) == Decimal("4321.50")
    assert isinstance(limoges[9], dt.datetime)  # a real date cell
    assert limoges[10] == 75 and limoges[11] == "oui"
    bordeaux = next(r for r in rows if r[0] == portefeuille["ailleurs"].numero)
    assert bordeaux[4] == "Bordeaux" and bordeaux[5] == "33"


def test_an_administrator_exports_every_service(
    client, portefeuille, django_capture_on_commit_callbacks
):
    admin = UserFactory(administrateur=True)
    export = _exporter(client, admin, "csv", "", django_capture_on_commit_callbacks)
    texte = _telecharger(client, export).decode("utf-8-sig")
    assert portefeuille["hors"].numero in texte and portefeuille["limoges"].numero in texte


def test_only_the_author_downloads_the_file_and_every_step_is_audited(
    client, marc, culture, portefeuille, django_capture_on_commit_callbacks
):
    export = _exporter(client, marc, "csv", "", django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(action="file.export_demande", actor=marc).exists()
    assert AuditEvent.objects.filter(action="file.export_produit", target_id=str(export.pk))
    collegue = UserFactory(role="instructeur", service=culture)
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="DEI"))
    demandeur = UserFactory(role="usager")
    for intrus in (collegue, autre, demandeur, UserFactory(administrateur=True)):
        client.force_login(intrus)
        for nom in ("export", "export_etat", "export_telecharger"):
            assert client.get(reverse(f"instruction:{nom}", args=[export.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="fichier.telecharge").exists()
    client.force_login(marc)
    _telecharger(client, export)
    assert AuditEvent.objects.filter(
        action="fichier.telecharge", actor=marc, target_id=str(export.pk)
    ).exists()
    liste = client.get(reverse("instruction:exports")).content.decode()
    assert reverse("instruction:export_telecharger", args=[export.pk]) in liste
    client.force_login(collegue)
    liste = client.get(reverse("instruction:exports")).content.decode()
    assert reverse("instruction:export_telecharger", args=[export.pk]) not in liste


def test_an_applicant_cannot_ask_for_an_export(client, claire, portefeuille):
    client.force_login(claire)
    response = client.post(reverse("instruction:export_demander"), {"format": "csv"})
    assert response.status_code == 404
    assert not ExportFile.objects.exists()
    with pytest.raises(PermissionDenied):
        services.export_demander(par=claire, format="csv", parametres="")


def test_unknown_format_is_refused_with_a_message(client, marc, portefeuille):
    client.force_login(marc)
    response = client.post(
        reverse("instruction:export_demander"),
        {"format": "pdf", "parametres": "etat=depose"},
        follow=True,
    )
    assert "Choisissez le format du fichier" in response.content.decode()
    assert not ExportFile.objects.exists()


def test_progress_states_waiting_running_ready_and_failed(
    client, marc, portefeuille, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(marc)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("instruction:export_demander"), {"format": "xlsx", "parametres": ""})
    export = ExportFile.objects.get()
    page = client.get(reverse("instruction:export", args=[export.pk])).content.decode()
    assert 'aria-live="polite"' in page and "js/export.js" in page
    assert "http-equiv" not in page and "<script>" not in page
    assert "actualiser la page" in page and "attend son tour" in page
    etat = client.get(reverse("instruction:export_etat", args=[export.pk])).json()
    assert etat["statut"] == "en_attente" and not etat["fini"] and not etat["telechargement"]
    # While it runs, the state counts the dossiers written so far.
    ExportFile.objects.filter(pk=export.pk).update(statut="en_cours", total=3, traites=2)
    etat = client.get(reverse("instruction:export_etat", args=[export.pk])).json()
    assert etat["pourcentage"] == 66 and "2 dossier(s) sur 3" in etat["message"]
    for callback in callbacks:
        callback()
    etat = client.get(reverse("instruction:export_etat", args=[export.pk])).json()
    assert etat["statut"] == "termine" and etat["fini"] and etat["pourcentage"] == 100
    assert etat["telechargement"] == reverse("instruction:export_telecharger", args=[export.pk])
    # A failure says what to do; nothing can be downloaded.
    echec = ExportFile.objects.create(auteur=marc, format="csv")

    def panne(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(exports, "_csv", panne)
    exports.export_produire(export_id=echec.pk)
    etat = client.get(reverse("instruction:export_etat", args=[echec.pk])).json()
    assert etat["statut"] == "echec" and "Relancez l'export" in etat["message"]
    assert client.get(reverse("instruction:export_telecharger", args=[echec.pk])).status_code == 404


def test_a_large_export_is_written_in_batches_with_constant_queries(
    marc, portefeuille, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exports, "TAILLE_LOT", 50)

    def produire(fmt: str) -> ExportFile:
        export = ExportFile.objects.create(auteur=marc, format=fmt, parametres="etat=depose")
        exports.export_produire(export_id=export.pk)
        export.refresh_from_db()
        return export

    with CaptureQueriesContext(connection) as petit:
        assert produire("xlsx").total == 3
    modele = portefeuille["second"]
    champs = {
        f.attname: getattr(modele, f.attname)
        for f in Dossier._meta.concrete_fields
        if f.attname not in ("id", "numero")
    }
    Dossier.objects.bulk_create([Dossier(**champs, numero=f"2026-LOT-{n:06d}") for n in range(240)])
    # 243 rows read through one query; only the progress (one update per batch of 50) is added.
    with django_assert_max_num_queries(len(petit.captured_queries) + 243 // 50):
        gros = produire("xlsx")
    assert gros.total == gros.traites == 243
    feuille = openpyxl.load_workbook(gros.fichier.path)["Dossiers"]
    assert feuille.max_row == 244  # the header and one row per dossier
    assert {row[0] for row in feuille.iter_rows(min_row=2, max_col=1, values_only=True)} >= {
        f"2026-LOT-{n:06d}" for n in range(240)
    }
