"""Demo data for Jeanne's journey (JOURNEYS.md): an envelope for the festivals, approved
proposals waiting for the vote, and the next commission permanente with part of them on its
agenda. Called by mdna.demo; never used in production."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from dispositifs.models import Dispositif, Dossier, Etat
from instruction import services
from instruction.programmation import services as programmation
from mdna.models import User


def donnees_demo_programmation() -> str:
    festivals = Dispositif.objects.filter(slug="soutien-aux-festivals").first()
    marc = User.objects.filter(email="marc@demo.mdna.fr").first()
    sophie = User.objects.filter(email="sophie@demo.mdna.fr").first()
    jeanne = User.objects.filter(email="jeanne@demo.mdna.fr").first()
    if not (festivals and marc and sophie and jeanne):
        return ""
    enveloppe = programmation.enveloppe_enregistrer(
        par=sophie,
        exercice=timezone.localdate().year,
        ligne_budgetaire="65-6574-311-P311",
        libelle="Festivals et manifestations culturelles",
        credits_votes=Decimal("150000.00"),
        dispositifs=[festivals],
    )
    proposes = []
    for dossier in Dossier.objects.filter(
        dispositif=festivals, etat=Etat.DEPOSE, numero__isnull=False
    ).exclude(tiers__nom="Les Tréteaux de la Creuse"):
        services.transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
        dossier.refresh_from_db()
        plafond = min(dossier.montant_demande or Decimal(0), services.montant_maximal(dossier))
        montant = (plafond * Decimal("0.8")).quantize(Decimal("1"), rounding=ROUND_DOWN)
        proposition = services.proposition_enregistrer(
            dossier=dossier,
            par=marc,
            montant=montant,
            sens="favorable",
            justification="Programme de qualité, public large, budget équilibré.",
        )
        services.proposition_approuver(proposition=proposition, par=sophie)
        dossier.refresh_from_db()
        proposes.append(dossier)
    seance = programmation.commission_creer(
        par=jeanne,
        date=timezone.localdate() + dt.timedelta(days=14),
        libelle="Commission permanente",
    )
    if proposes:
        programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes[:2])
    return f"enveloppe « {enveloppe.libelle} », {len(proposes)} propositions approuvées, {seance}"
