"""Load the Region's catalogue of schemes (idempotent)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dispositifs.services import PublicationRefusee, catalogue_charger

DATA = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Charge (ou met à jour) les services et les dispositifs du catalogue, puis les publie."

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(DATA / "catalogue.json"))
        parser.add_argument("--services", default=str(DATA / "services.json"))

    def handle(self, *args, catalogue: str, services: str, **options):
        try:
            counts = catalogue_charger(
                services=json.loads(Path(services).read_text(encoding="utf-8")),
                entries=json.loads(Path(catalogue).read_text(encoding="utf-8")),
            )
        except PublicationRefusee as error:
            raise CommandError(f"Catalogue refusé : {error}") from error
        self.stdout.write(
            "Catalogue : {services} services, {crees} dispositifs créés, {modifies} modifiés, "
            "{inchanges} inchangés, {versions} versions publiées.".format(**counts)
        )
