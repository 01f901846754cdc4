"""Administrators' own letter texts, rendered in a sandbox.

An override body is a *restricted* Django template:

* its own template engine, with no loader and no library: only the tags ``if``/``elif``/
  ``else``/``for``/``empty`` and a short list of filters (dates, amounts in figures and in words,
  case, defaults). ``{% load %}``, ``{% include %}``, ``{% extends %}``, ``{% url %}``,
  ``{% debug %}``… are unknown tags, hence a syntax error at save time;
* the context is the document's JSON data snapshot only (strings, numbers, lists, dicts): no
  model, no method, nothing to call;
* variables must be among the documented names (``destinataire``, ``dossier``, ``montant``…);
* the output is then cleaned down to a few HTML tags without attributes (``p``, ``br``,
  ``strong``, ``em``, ``ul``, ``ol``, ``li``, ``h2``, ``h3``): no image, link, style or script can
  reach the PDF. Text outside these tags is escaped.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters
from django.template import defaulttags
from django.utils.safestring import SafeString, mark_safe

from editiques.templatetags import editiques_tags

TAGS = ("if", "for")
FILTERS = (
    "default",
    "default_if_none",
    "upper",
    "lower",
    "capfirst",
    "title",
    "length",
    "pluralize",
    "yesno",
    "linebreaksbr",
    "join",
    "floatformat",
)
OUR_FILTERS = ("date_fr", "euros", "en_lettres", "somme")
ALLOWED_HTML = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h2", "h3"})
VOID = frozenset({"br"})
DROP_CONTENT = frozenset({"script", "style", "head", "title", "template", "svg", "math"})

# The names a body may use: the keys of the document's data snapshot (editiques/contexte.py).
VARIABLES = frozenset(
    {
        "document",
        "region",
        "destinataire",
        "dossier",
        "dispositif",
        "service",
        "signataire",
        "date",
        "montant",
        "montant_initial",
        "montant_verse",
        "motif",
        "pieces",
        "date_limite",
        "date_demande",
        "date_commission",
        "date_paiement",
        "deliberation",
        "echeance",
        "mandat",
        "iban_masque",
        "convention",
        "arrete",
        "exercice",
        "lignes",
        "duree_mois",
        "delai_caducite_mois",
        "forloop",
    }
)
_VARIABLE = re.compile(r"{{\s*([A-Za-z_]\w*)")
_TAG_NAMES = re.compile(r"{%\s*(?:if|elif|for\s+[\w\s,]+\s+in)\s+(?:not\s+)?([A-Za-z_]\w*)")


@lru_cache(maxsize=1)
def engine() -> Engine:
    restricted = Library()
    for name in TAGS:
        restricted.tags[name] = defaulttags.register.tags[name]
    for name in FILTERS:
        restricted.filters[name] = defaultfilters.register.filters[name]
    for name in OUR_FILTERS:
        restricted.filters[name] = editiques_tags.register.filters[name]
    sandbox = Engine(dirs=[], app_dirs=False, libraries={}, autoescape=True, loaders=[])
    sandbox.template_builtins = [restricted]
    return sandbox


def verifier(corps: str) -> None:
    """Raise ValidationError with a message an administrator understands."""
    inconnues = sorted(
        {m for m in _VARIABLE.findall(corps) + _TAG_NAMES.findall(corps)} - VARIABLES
    )
    if inconnues:
        raise ValidationError(
            "Variables inconnues : "
            + ", ".join(inconnues)
            + ". Variables possibles : "
            + ", ".join(sorted(VARIABLES - {"forloop"}))
            + "."
        )
    try:
        engine().from_string(corps)
    except TemplateSyntaxError as error:
        raise ValidationError(f"Le texte contient une balise non autorisée ou mal fermée : {error}")


def rendre(corps: str, donnees: dict) -> SafeString:
    """Render an override body with the document's data and return cleaned HTML."""
    template = engine().from_string(corps)
    brut = template.render(Context(donnees, autoescape=True))
    return nettoyer(brut)


class _Nettoyeur(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sortie: list[str] = []
        self.ouvertes: list[str] = []
        self.ignore = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROP_CONTENT:
            self.ignore += 1
        elif not self.ignore and tag in ALLOWED_HTML:
            self.sortie.append(f"<{tag}>")
            if tag not in VOID:
                self.ouvertes.append(tag)

    def handle_startendtag(self, tag, attrs):
        if not self.ignore and tag in VOID:
            self.sortie.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in DROP_CONTENT:
            self.ignore = max(0, self.ignore - 1)
        elif not self.ignore and tag in ALLOWED_HTML and tag in self.ouvertes:
            while self.ouvertes:
                ouverte = self.ouvertes.pop()
                self.sortie.append(f"</{ouverte}>")
                if ouverte == tag:
                    break

    def handle_data(self, data):
        if not self.ignore:
            self.sortie.append(html.escape(data, quote=False))

    def resultat(self) -> str:
        self.close()
        return "".join(self.sortie) + "".join(f"</{t}>" for t in reversed(self.ouvertes))


def nettoyer(fragment: str) -> SafeString:
    """Keep only a few text tags, without attributes; escape the rest."""
    nettoyeur = _Nettoyeur()
    nettoyeur.feed(fragment)
    return mark_safe(nettoyeur.resultat())  # noqa: S308 — built from escaped text and our own tags
