"""Export the granted subsidies in the SCDL « subventions » format (CSV or JSON)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from mdna import scdl


class Command(BaseCommand):
    help = "Exporte les subventions attribuées au format SCDL « subventions » (données ouvertes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tous",
            action="store_true",
            help="Toutes les subventions attribuées, pas seulement celles de plus de 23 000 €.",
        )
        parser.add_argument("--annee", type=int, help="Année de la décision.")
        parser.add_argument(
            "--commission", type=int, help="Identifiant d'une séance de la commission permanente."
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--sortie", help="Fichier de sortie (sinon la sortie standard).")

    def handle(self, *args, tous, annee, commission, format, sortie, **options):
        try:
            rows = list(
                scdl.lignes(scdl.subventions(tous=tous, annee=annee, commission=commission))
            )
        except scdl.ExportImpossible as error:
            raise CommandError(str(error)) from error
        contenu = (
            scdl.en_csv(rows)
            if format == "csv"
            else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        )
        if sortie:
            with open(sortie, "w", encoding="utf-8", newline="") as fichier:
                fichier.write(contenu)
            self.stderr.write(f"{len(rows)} subvention(s) exportée(s) dans {sortie}.")
        else:
            (self.stdout if self.stdout else sys.stdout).write(contenu, ending="")
