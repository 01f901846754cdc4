"""Writes of the steering dashboard: the payments app reports each payment here."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dispositifs.models import Dossier
from instruction.pilotage.models import CumulPilotage, DureeInstruction, VersementConstate
from mdna import audit
from mdna.models import User

ZERO = Decimal("0.00")


def cumul_ajuster(
    dossier: Dossier,
    *,
    propose: Decimal = ZERO,
    attribue: Decimal = ZERO,
    verse: Decimal = ZERO,
) -> None:
    cle = {"dispositif_id": dossier.dispositif_id, "departement": dossier.departement or ""}
    updated = CumulPilotage.objects.filter(**cle).update(
        montant_propose=F("montant_propose") + propose,
        montant_attribue=F("montant_attribue") + attribue,
        montant_verse=F("montant_verse") + verse,
    )
    if not updated:
        try:
            with transaction.atomic():
                CumulPilotage.objects.create(
                    **cle, montant_propose=propose, montant_attribue=attribue, montant_verse=verse
                )
        except IntegrityError:  # created meanwhile by another transaction
            cumul_ajuster(dossier, propose=propose, attribue=attribue, verse=verse)


def duree_compter(dossier: Dossier) -> None:
    if dossier.depose_le is None:
        return
    jours = max(0, (timezone.now() - dossier.depose_le).days)
    cle = {"dispositif_id": dossier.dispositif_id, "jours": jours}
    if not DureeInstruction.objects.filter(**cle).update(nombre=F("nombre") + 1):
        try:
            with transaction.atomic():
                DureeInstruction.objects.create(**cle, nombre=1)
        except IntegrityError:
            DureeInstruction.objects.filter(**cle).update(nombre=F("nombre") + 1)


@transaction.atomic
def pilotage_versement_enregistrer(
    *, dossier: Dossier, montant: Decimal, cle: str, par: User | None = None
) -> bool:
    """Count a payment in the dashboard's "paid" amounts. Call it inside the transaction that
    records the payment (e.g. when the accountant's return marks a mandate paid). Idempotent on
    `cle` (e.g. ``f"mandat-{mandat.pk}"``); a negative amount records a repayment. Returns False
    when this `cle` was already counted."""
    if not isinstance(montant, Decimal):
        raise TypeError("montant must be a Decimal")
    versement, cree = VersementConstate.objects.get_or_create(
        cle=cle, defaults={"dossier": dossier, "montant": montant}
    )
    if not cree:
        return False
    cumul_ajuster(dossier, verse=montant)
    audit.record(
        actor=par,
        action="pilotage.versement",
        target=dossier,
        after={"montant": str(montant), "cle": cle},
    )
    return True


@transaction.atomic
def pilotage_reversement_enregistrer(
    *, dossier: Dossier, montant: Decimal, cle: str, par: User | None = None
) -> bool:
    """Count a repayment order (titre de recettes) in the dashboard's "paid" amounts: the paid
    figure is net of what the beneficiary is ordered to pay back (docs/decisions/0013). Call it
    inside the transaction that issues the order; idempotent on `cle` (``f"titre-{titre.pk}"``).
    `montant` is the positive amount to pay back."""
    if not isinstance(montant, Decimal):
        raise TypeError("montant must be a Decimal")
    if montant <= 0:
        raise ValueError("a repayment is a positive amount")
    return pilotage_versement_enregistrer(dossier=dossier, montant=-montant, cle=cle, par=par)
