from decimal import Decimal, InvalidOperation

from django import forms, template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_group(field) -> bool:
    """Radio buttons, checkbox lists and multi-input widgets are labelled by a fieldset legend."""
    widget = field.field.widget
    return isinstance(
        widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)
    ) or (getattr(widget, "template_name", "") == "dispositifs/widgets/tableau.html")


@register.simple_tag
def widget_with_aria(field):
    """Render a field's widget with aria-describedby pointing at its hint and its errors."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-aide")
    if field.errors:
        described.append(f"{field.auto_id}-erreur")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def euros(value) -> str:
    """12345.5 → « 12 345,50 € »."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def condition_valeurs(condition: dict) -> str:
    """The answers (as posted) that show a conditional field, joined by « | »."""
    if "in" in condition:
        values = condition["in"]
    elif "equals" in condition:
        values = [condition["equals"]]
    else:
        return ""
    return "|".join(
        {True: "oui", False: "non"}.get(v, str(v)) if isinstance(v, bool) else str(v)
        for v in values
    )
