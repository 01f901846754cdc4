"""Two transactions asking for the same event at the same time still make one document, and
numbers stay gapless (PostgreSQL, real row locks)."""

import threading

import pytest
from django.db import connection, transaction

from editiques.models import Document
from editiques.services import document_demander


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_event_make_one_document(dossier, marc, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    from editiques import services

    monkeypatch.setattr(services, "_planifier", lambda pk: None)  # rendering is tested elsewhere
    depart = threading.Barrier(4)
    erreurs = []

    def demander(i):
        try:
            depart.wait(timeout=10)
            with transaction.atomic():
                document_demander(
                    type="arrete_attributif", par=marc, cle_evenement="cp-42", dossier=dossier
                )
                document_demander(
                    type="arrete_attributif", par=marc, cle_evenement=f"autre-{i}", dossier=dossier
                )
        except Exception as error:  # noqa: BLE001 - reported below
            erreurs.append(error)
        finally:
            connection.close()

    fils = [threading.Thread(target=demander, args=(i,)) for i in range(4)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=60)
    assert erreurs == []
    assert Document.objects.filter(type="arrete_attributif", cle_evenement="cp-42").count() == 1
    numeros = sorted(
        int(n.rsplit("-", 1)[1])
        for n in Document.objects.filter(type="arrete_attributif").values_list("numero", flat=True)
    )
    assert numeros == list(range(1, 6))  # 1 shared event + 4 distinct ones, no gap
