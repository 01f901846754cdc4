from django import template

from dispositifs.engine import formulas
from dispositifs.engine.parsing import format_euros

register = template.Library()


@register.simple_tag
def computed_value(form, spec) -> str:
    """A computed field's value: from the bound form when it was validated, else from answers."""
    value = form.computed.get(spec["key"]) if hasattr(form, "computed") else None
    if value is None:
        answers = dict(getattr(form, "answers", {}))
        if form.is_bound and hasattr(form, "cleaned_data"):
            answers.update(form._json_of(form.cleaned_data))
        try:
            value = formulas.compute(spec["formula"], answers, form.regle)
        except (ArithmeticError, TypeError, ValueError):
            return "—"
    return format_euros(value)
