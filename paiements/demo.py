"""Demo data for Paul (finance): a granted festival dossier of Claire's association, committed,
whose advance was asked for and certified — ready to liquidate. Never used in production."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dispositifs.models import Dispositif, Dossier, Etat
from instruction.models import Proposition
from instruction.programmation import services as programmation
from instruction.services import transition_executer
from mdna.models import Tiers, User
from paiements import services


def donnees_demo_paiements(*, deposer) -> str:
    """``deposer(dispositif, tiers, user, **answers)`` files a dossier (from mdna.demo)."""
    festivals = Dispositif.objects.filter(slug="soutien-aux-festivals").first()
    tiers = Tiers.objects.filter(nom="Les Tréteaux de la Creuse").first()
    if festivals is None or tiers is None:
        return ""
    claire = User.objects.get(email="claire@demo.mdna.fr")
    marc = User.objects.get(email="marc@demo.mdna.fr")
    sophie = User.objects.get(email="sophie@demo.mdna.fr")
    paul = User.objects.get(email="paul@demo.mdna.fr")
    dossier = deposer(festivals, tiers, claire, titre="Festival des Tréteaux — édition d'hiver")
    transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
    Proposition.objects.create(
        dossier=dossier,
        montant=Decimal("7000.00"),
        sens="favorable",
        justification="Festival reconnu, budget équilibré, public rural.",
        auteur=marc,
    )
    transition_executer(dossier=dossier, nom="proposer", par=marc)
    Proposition.objects.filter(dossier=dossier).update(statut="approuvee")
    # Granted by a vote of the commission permanente (the only way to grant).
    commission = programmation.commission_creer(
        par=sophie, date=timezone.localdate(), libelle="Commission permanente"
    )
    programmation.points_inscrire(
        commission=commission, par=sophie, dossiers=[Dossier.objects.get(pk=dossier.pk)]
    )
    programmation.commission_voter(
        commission=commission,
        par=sophie,
        decisions={p.pk: "adopte" for p in commission.points.all()},
    )
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.etat == Etat.ATTRIBUE
    engagement = services.engagement_creer(dossier=dossier, par=paul)
    avance = engagement.echeances.order_by("rang").first()
    demande = services.demande_deposer(
        echeance=avance,
        par=claire,
        depenses_realisees=Decimal("0"),
        recapitulatif="Avance à la signature : pas encore de dépenses.",
        justificatifs=[],
    )
    services.service_fait_certifier(demande=demande, par=marc, montant=demande.montant_echeance)
    return f"engagement {dossier.numero} et une avance de {demande.montant_echeance} € à liquider"
