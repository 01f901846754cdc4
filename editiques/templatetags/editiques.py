"""Lists of a dossier's issued documents, for the agent and applicant dossier pages."""

from django import template

from editiques import selectors
from editiques.models import TypeDocument

register = template.Library()


@register.inclusion_tag("editiques/pages/_documents_dossier.html", takes_context=True)
def documents_dossier(context, dossier, *, agent: bool = False):
    user = context["request"].user
    documents = list(selectors.documents_du_dossier(user, dossier))
    for document in documents:
        document.copie_possible = selectors.peut_deposer_copie(user, document)
    return {
        "documents": documents,
        "dossier": dossier,
        "agent": agent,
        "types": TypeDocument.choices if agent else [],
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
