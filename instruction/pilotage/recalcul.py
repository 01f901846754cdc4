"""Rebuild every maintained aggregate from the source data: after a restore, a bulk import, or to
check them (`python manage.py pilotage_recalculer`). With `reprise=True`, approved proposals that
predate the programming module (imported or seeded dossiers) get their imputation first."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum

from dispositifs.models import Dossier, Etat, EvenementDossier
from instruction.pilotage import triggers
from instruction.pilotage.models import CumulPilotage, DureeInstruction, VersementConstate
from instruction.programmation.models import Enveloppe, Imputation, StatutImputation
from mdna import audit

ACCORDES = (Etat.ATTRIBUE, Etat.EN_PAIEMENT, Etat.SOLDE, Etat.CADUC)


def _reprendre_imputations() -> int:
    """One imputation per dossier with an approved proposal and none yet (SQL, in bulk)."""
    accordes = ", ".join(f"'{e}'" for e in ACCORDES)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO instruction_imputation (dossier_id, enveloppe_id, montant, statut, "
            "modifiee_le) "
            "SELECT p.dossier_id, NULL, CASE WHEN d.etat = 'caduc' THEN coalesce((SELECT "
            "sum(v.montant) FROM instruction_versementconstate v WHERE v.dossier_id = "
            "p.dossier_id), 0) ELSE p.montant END, CASE WHEN d.etat = 'propose' THEN 'proposee' "
            "WHEN d.etat = 'caduc' THEN 'caduque' "
            f"WHEN d.etat IN ({accordes}) THEN 'attribuee' ELSE 'liberee' END, CURRENT_TIMESTAMP "
            "FROM instruction_proposition p JOIN dispositifs_dossier d ON d.id = p.dossier_id "
            "WHERE p.statut = 'approuvee' AND p.id = (SELECT max(p2.id) FROM "
            "instruction_proposition p2 WHERE p2.dossier_id = p.dossier_id "
            "AND p2.statut = 'approuvee') "
            "AND NOT EXISTS (SELECT 1 FROM instruction_imputation i WHERE i.dossier_id = p.dossier_id)"
        )
        creees = cursor.rowcount
    # Legacy imputations draw on the envelope of their filing year.
    annee = (
        "CAST(strftime('%Y', d.depose_le) AS INTEGER)"
        if connection.vendor == "sqlite"
        else "EXTRACT(YEAR FROM d.depose_le AT TIME ZONE 'UTC')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE instruction_imputation SET enveloppe_id = (SELECT ed.enveloppe_id FROM "
            "instruction_enveloppedispositif ed JOIN dispositifs_dossier d "
            "ON d.dispositif_id = ed.dispositif_id "
            f"WHERE d.id = instruction_imputation.dossier_id AND ed.exercice = {annee}) "
            "WHERE enveloppe_id IS NULL"
        )
    return creees


@transaction.atomic
def pilotage_recalculer(*, reprise: bool = False) -> dict:
    triggers.compteurs_recalculer()
    creees = _reprendre_imputations() if reprise else 0
    for enveloppe in Enveloppe.objects.select_for_update():
        sommes = dict(
            enveloppe.imputations.values_list("statut").annotate(s=Sum("montant")).order_by()
        )
        enveloppe.montant_propose = sommes.get(StatutImputation.PROPOSEE) or Decimal(0)
        enveloppe.montant_attribue = (sommes.get(StatutImputation.ATTRIBUEE) or Decimal(0)) + (
            sommes.get(StatutImputation.CADUQUE) or Decimal(0)
        )
        enveloppe.save(update_fields=["montant_propose", "montant_attribue"])
    CumulPilotage.objects.all().delete()
    cumuls: dict[tuple, dict] = {}

    def cumul(cle):
        return cumuls.setdefault(cle, {"p": Decimal(0), "a": Decimal(0), "v": Decimal(0)})

    for dispositif_id, departement, statut, somme in (
        Imputation.objects.exclude(statut=StatutImputation.LIBEREE)
        .values_list("dossier__dispositif_id", "dossier__departement", "statut")
        .annotate(s=Sum("montant"))
        .order_by()
    ):
        cumul((dispositif_id, departement))["p" if statut == "proposee" else "a"] += somme
    for dispositif_id, departement, somme in (
        VersementConstate.objects.values_list("dossier__dispositif_id", "dossier__departement")
        .annotate(s=Sum("montant"))
        .order_by()
    ):
        cumul((dispositif_id, departement))["v"] += somme
    CumulPilotage.objects.bulk_create(
        CumulPilotage(
            dispositif_id=d,
            departement=dep,
            montant_propose=v["p"],
            montant_attribue=v["a"],
            montant_verse=v["v"],
        )
        for (d, dep), v in cumuls.items()
    )
    DureeInstruction.objects.all().delete()
    durees: dict[tuple, int] = {}
    decisions = (
        EvenementDossier.objects.filter(
            Q(type="attribuer") | Q(type="rejeter"), dossier__depose_le__isnull=False
        )
        .values_list("dossier__dispositif_id", "cree_le", "dossier__depose_le")
        .iterator(chunk_size=20_000)
    )
    for dispositif_id, decide_le, depose_le in decisions:
        cle = (dispositif_id, max(0, (decide_le - depose_le).days))
        durees[cle] = durees.get(cle, 0) + 1
    DureeInstruction.objects.bulk_create(
        DureeInstruction(dispositif_id=d, jours=j, nombre=n) for (d, j), n in durees.items()
    )
    resultat = {
        "imputations_reprises": creees,
        "cumuls": len(cumuls),
        "durees": len(durees),
        "dossiers": Dossier.objects.exclude(etat=Etat.BROUILLON).count(),
    }
    audit.record(actor=None, action="pilotage.recalcul", after=resultat)
    return resultat
