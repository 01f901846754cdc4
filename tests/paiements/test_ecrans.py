"""The screens: who sees what, the flows through them, and query counts on the lists."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from paiements import services
from paiements.models import DemandeVersement, Export, Mandat, StatutDemande, StatutExport
from tests.factories import ServiceFactory, UserFactory
from tests.instruction.conftest import deposer
from tests.paiements.conftest import attribuer, demander

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PAGES_FINANCES = [
    ("finances:accueil", []),
    ("finances:bordereaux", []),
    ("finances:exports", []),
    ("finances:retours", []),
]


def test_applicants_and_instructors_never_see_finance_screens(client, claire, marc, sophie):
    for user in (claire, marc, sophie, UserFactory(role="conseiller")):
        client.force_login(user)
        for nom, args in PAGES_FINANCES:
            assert client.get(reverse(nom, args=args)).status_code == 404, (user.role, nom)
        assert client.post(reverse("finances:liquider")).status_code == 404
    client.logout()
    assert client.get(reverse("finances:accueil")).status_code == 302


def test_finance_staff_see_every_service(
    client, paul, festivals, association, claire, sophie, marc
):
    autre_service = ServiceFactory(code="ECO", nom="Économie")
    from tests.factories import DispositifFactory

    economie = DispositifFactory(publie=True, service=autre_service)
    valideur_eco = UserFactory(role="valideur", service=autre_service)
    instructeur_eco = UserFactory(role="instructeur", service=autre_service)
    for dispositif, valideur, instructeur in (
        (festivals, sophie, marc),
        (economie, valideur_eco, instructeur_eco),
    ):
        dossier = attribuer(deposer(dispositif, association, claire), valideur, "1000.00")
        engagement = services.engagement_creer(dossier=dossier, par=paul)
        demande = demander(engagement, claire)
        services.service_fait_certifier(
            demande=demande, par=instructeur, montant=demande.montant_echeance
        )
    client.force_login(paul)
    html = client.get(reverse("finances:accueil")).content.decode()
    for demande in DemandeVersement.objects.all():
        assert demande.dossier.numero in html
    assert "Finances" in html  # the navigation link


def test_paul_liquidates_groups_exports_and_downloads(
    client, paul, certifiee, django_capture_on_commit_callbacks
):
    client.force_login(paul)
    response = client.post(reverse("finances:liquider"), {"demandes": [certifiee.pk]}, follow=True)
    assert "1 mandat(s) émis : n° 1" in response.content.decode()
    mandat = Mandat.objects.get()
    response = client.post(
        reverse("finances:bordereau_creer"), {"mandats": [mandat.pk]}, follow=True
    )
    html = response.content.decode()
    assert "Bordereau 1/" in html and "3\u00a0000,00" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("finances:export_demander"),
            {"bordereaux": [Mandat.objects.get().bordereau_id], "format": "pes"},
        )
    export = Export.objects.get()
    assert export.statut == StatutExport.PRET
    response = client.get(reverse("finances:export_telecharger", args=[export.pk]))
    contenu = b"".join(response.streaming_content)
    import hashlib

    assert hashlib.sha256(contenu).hexdigest() == export.sha256
    assert b"PES_Aller" in contenu


def test_the_export_list_shows_xsd_errors_and_no_download(
    client, paul, certifiee, django_capture_on_commit_callbacks
):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    Mandat.objects.filter(pk=mandat.pk).update(tiers_code_postal="2300")
    bordereau = services.bordereau_creer(mandats=[mandat], par=paul)
    from paiements import flux

    with django_capture_on_commit_callbacks(execute=True):
        export = flux.export_demander(format="pes", bordereaux=[bordereau], par=paul)
    client.force_login(paul)
    html = client.get(reverse("finances:exports")).content.decode()
    assert "Non conforme" in html and "code postal" in html
    assert client.get(reverse("finances:export_telecharger", args=[export.pk])).status_code == 404


def test_finance_lists_do_not_grow_queries_with_rows(
    client, paul, festivals, association, claire, sophie, marc, django_assert_max_num_queries
):
    mandats = []
    for _ in range(4):
        dossier = attribuer(deposer(festivals, association, claire), sophie, "1000.00")
        engagement = services.engagement_creer(dossier=dossier, par=paul)
        demande = demander(engagement, claire)
        services.service_fait_certifier(demande=demande, par=marc, montant=Decimal("300.00"))
        mandats.append(services.mandat_liquider(demande=demande, par=paul))
        dossier2 = attribuer(deposer(festivals, association, claire), sophie, "500.00")
        services.engagement_creer(dossier=dossier2, par=paul)
        demande2 = demander(dossier2.engagement, claire)
        services.service_fait_certifier(demande=demande2, par=marc, montant=Decimal("150.00"))
    bordereau = services.bordereau_creer(mandats=mandats[:2], par=paul)
    client.force_login(paul)
    for nom, args in [*PAGES_FINANCES, ("finances:bordereau", [bordereau.pk])]:
        with django_assert_max_num_queries(12):
            assert client.get(reverse(nom, args=args)).status_code == 200


def test_the_applicant_asks_for_an_instalment_with_a_checked_proof(client, claire, engagement):
    client.force_login(claire)
    dossier = engagement.dossier
    liste = client.get(reverse("versements:liste", args=[dossier.pk])).content.decode()
    assert "Demander ce versement" in liste and "3\u00a0000,00" in liste
    acompte = engagement.echeances.get(rang=2)
    url = reverse("versements:demander", args=[dossier.pk, acompte.pk])
    faux = SimpleUploadedFile(
        "factures.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        url, {"depenses_realisees": "12000", "recapitulatif": "Cachets", "justificatif": faux}
    )
    assert "quel que soit son nom" in response.content.decode()
    assert not DemandeVersement.objects.exists()
    bon = SimpleUploadedFile("factures.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url, {"depenses_realisees": "12000", "recapitulatif": "Cachets", "justificatif": bon}
    )
    assert response.status_code == 302
    demande = DemandeVersement.objects.get()
    assert demande.justificatifs.get().type_contenu == "pdf"


def test_another_applicant_gets_404(client, engagement):
    client.force_login(UserFactory())
    assert client.get(reverse("versements:liste", args=[engagement.dossier_id])).status_code == 404


def test_the_instructor_certifies_from_the_dossier_screen(client, marc, engagement, claire):
    demande = demander(engagement, claire, rang=2, depenses="10000.00")
    client.force_login(marc)
    dossier_html = client.get(
        reverse("instruction:dossier", args=[engagement.dossier_id])
    ).content.decode()
    assert reverse("certification:dossier", args=[engagement.dossier_id]) in dossier_html
    url = reverse("certification:certifier", args=[demande.pk])
    page = client.get(url).content.decode()
    # Half the planned expenses: 5,000.00 € due, the instalment (4,000 €) is fully allowed.
    assert "4\u00a0000,00" in page
    response = client.post(url, {"montant": "2000.00", "motif": "Dépenses à 50 %", "certifier": ""})
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.CERTIFIEE
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="ECO"))
    client.force_login(autre)
    assert client.get(url).status_code == 404
    client.force_login(claire)
    assert client.get(url).status_code == 404


def test_liquidate_all_and_group_all_of_the_week(
    client, paul, festivals, association, claire, sophie, marc
):
    for _ in range(3):
        dossier = attribuer(deposer(festivals, association, claire), sophie, "1000.00")
        engagement = services.engagement_creer(dossier=dossier, par=paul)
        demande = demander(engagement, claire)
        services.service_fait_certifier(demande=demande, par=marc, montant=Decimal("300.00"))
    client.force_login(paul)
    client.post(reverse("finances:liquider"), {"tous": "1"})
    assert Mandat.objects.count() == 3
    response = client.post(reverse("finances:bordereau_creer"), {"tous": "1"}, follow=True)
    assert "3 mandat(s)" in response.content.decode()
    assert not Mandat.objects.filter(bordereau__isnull=True).exists()
    assert (
        sum(m.montant for m in Mandat.objects.all())
        == Mandat.objects.first().bordereau.montant_total
    )


def test_detail_pages_query_counts(client, paul, certifiee, django_assert_max_num_queries):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    client.force_login(paul)
    for url in (
        reverse("finances:mandat", args=[mandat.pk]),
        reverse("finances:engagement", args=[mandat.engagement_id]),
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_return_file_upload_and_manual_payment_from_the_screens(client, paul, certifiee, claire):
    from tests.paiements.retour import pes_retour

    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    bordereau = services.bordereau_creer(mandats=[mandat], par=paul)
    client.force_login(paul)
    mauvais = SimpleUploadedFile("retour.xml", b"<PES_Retour/>", content_type="text/xml")
    response = client.post(reverse("finances:retours"), {"fichier": mauvais})
    assert "PES retour conforme" in response.content.decode()
    contenu = pes_retour(
        [
            {
                "exercice": bordereau.exercice,
                "bordereau": bordereau.numero,
                "numero": mandat.numero,
                "montant": "3000.00",
                "date": "2026-12-04",
            }
        ]
    )
    fichier = SimpleUploadedFile("retour.xml", contenu, content_type="text/xml")
    response = client.post(reverse("finances:retours"), {"fichier": fichier}, follow=True)
    assert "1 mandat(s) marqué(s) payé(s)" in response.content.decode()
    mandat.refresh_from_db()
    assert mandat.statut == "paye"
    # The applicant sees the amount paid.
    client.force_login(claire)
    page = client.get(reverse("versements:liste", args=[certifiee.dossier_id])).content.decode()
    assert "Payée" in page and "3\u00a0000,00" in page


def test_manual_paid_on_date(client, paul, certifiee):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    client.force_login(paul)
    response = client.post(
        reverse("finances:mandat_paye", args=[mandat.pk]), {"le": "2026-12-03"}, follow=True
    )
    assert "Paiement enregistré" in response.content.decode()
    mandat.refresh_from_db()
    assert str(mandat.paye_le) == "2026-12-03"


def test_administrators_see_finances_and_the_read_only_admin(client, admin_user, certifiee, paul):
    services.mandat_liquider(demande=certifiee, par=paul)
    client.force_login(admin_user)
    assert client.get(reverse("finances:accueil")).status_code == 200
    liste = client.get("/administration/paiements/mandat/")
    assert liste.status_code == 200 and "Les Tréteaux de la Creuse" in liste.content.decode()
    assert client.get("/administration/paiements/mandat/add/").status_code == 403
