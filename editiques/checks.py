"""System check: every document type has a template that compiles."""

from django.core import checks
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template


@checks.register(checks.Tags.templates)
def gabarits_presents(app_configs=None, **kwargs):
    from editiques.models import TypeDocument
    from editiques.rendu import gabarit

    erreurs = []
    for type in TypeDocument.values:
        try:
            get_template(gabarit(type))
        except (TemplateDoesNotExist, TemplateSyntaxError) as error:
            erreurs.append(
                checks.Error(
                    f"Le modèle du document « {type} » est absent ou invalide : {error}",
                    id="editiques.E001",
                )
            )
    return erreurs
