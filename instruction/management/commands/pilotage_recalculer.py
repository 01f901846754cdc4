"""Rebuild the dashboard counters and the envelope totals from the source data."""

from django.core.management.base import BaseCommand

from instruction.pilotage.recalcul import pilotage_recalculer


class Command(BaseCommand):
    help = "Recalcule les compteurs du pilotage et les totaux des enveloppes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reprise",
            action="store_true",
            help="Créer d'abord les imputations des propositions approuvées importées.",
        )

    def handle(self, *args, reprise: bool = False, **options):
        resultat = pilotage_recalculer(reprise=reprise)
        self.stdout.write(", ".join(f"{k} : {v}" for k, v in resultat.items()))
