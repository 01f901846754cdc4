"""Write docs/workflow.md from the workflow table."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from instruction.workflow import table_markdown

INTRO = """# Le circuit d'un dossier

Ce document est généré par `python manage.py workflow_doc` à partir de la table
`instruction/workflow.py` : ne le modifiez pas à la main.

Chaque transition déclare ses états de départ (jamais « tous »), son état d'arrivée, les rôles qui
peuvent la lancer et sa condition. Un seul service l'exécute (`instruction.services.transition_executer`) :
il vérifie le rôle, le périmètre (un instructeur n'agit que sur les dossiers de son service) et la
condition — en disant pourquoi quand c'est refusé —, verrouille le dossier (verrou optimiste : une
seconde personne qui agit sur une version périmée reçoit un message clair), écrit l'événement
d'audit et l'entrée de l'historique visible du demandeur, puis, après validation de la transaction,
demande le courrier et prévient le demandeur.

Le dépôt (brouillon → déposé) est fait par `dispositifs.depot.services.dossier_deposer`, qui
numérote le dossier et valide toutes les réponses avec la version du formulaire.

"""


class Command(BaseCommand):
    help = "Génère docs/workflow.md depuis la table des transitions."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "docs" / "workflow.md"
        path.write_text(INTRO + table_markdown(), encoding="utf-8")
        self.stdout.write(f"{path} écrit.")
