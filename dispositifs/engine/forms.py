"""From a schema to Django forms: one form class per step, cached per schema version.

Answers are kept as JSON (see fields.FieldType.to_json). ``form_data`` turns stored answers back
into form data, so stored answers are re-validated by exactly the same code as typed ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from django import forms
from django.utils.datastructures import MultiValueDict

from dispositifs.engine import formulas, rules
from dispositifs.engine.fields import Spec, get_type
from dispositifs.engine.parsing import format_decimal

EMPTY = (None, "", [], {})
_SCHEMAS: dict[str, dict] = {}


def condition_holds(condition: dict | None, answers: dict) -> bool:
    if not condition:
        return True
    value = answers.get(condition["field"])
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    if "filled" in condition:
        return (value not in EMPTY) == bool(condition["filled"])
    return True


class StepForm(forms.Form):
    """A step of a scheme's form. ``answers`` holds the JSON answers of the other steps."""

    schema: dict
    step: dict
    specs: dict[str, dict]
    template_name = "dispositifs/etape_form.html"

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        self.answers = answers or {}
        super().__init__(*args, **kwargs)
        self.computed: dict[str, Decimal] = {}
        for name, field in self.fields.items():
            spec = self.specs[name]
            field.widget.attrs.setdefault("data-champ", name)
            field.conditionally_required = bool(spec.get("condition") and spec.get("required"))
            given = self.initial.get(name)
            if spec["type"] == "file" and isinstance(given, dict) and given.get("nom"):
                field.deja_fourni = given["nom"]
            if spec.get("condition"):
                field.condition = spec["condition"]

    @property
    def regle(self) -> dict:
        return self.schema.get("regle") or {}

    def clean(self):
        cleaned = super().clean()
        current = {**self.answers, **self._json_of(cleaned)}
        for name, spec in self.specs.items():
            if name not in self.fields:
                continue
            if not condition_holds(spec.get("condition"), current):
                self.errors.pop(name, None)
                cleaned[name] = None
                current[name] = None
            elif (
                spec.get("condition")
                and spec.get("required")
                and name not in self.errors
                and cleaned.get(name) in EMPTY
            ):
                self.add_error(name, "Ce champ est obligatoire.")
        for name, spec in self.specs.items():
            if spec["type"] == "computed":
                self.computed[name] = formulas.compute(spec["formula"], current, self.regle)
                current[name] = str(self.computed[name])
        if not self.errors:
            for rule in self.step.get("rules") or []:
                for key, message in rules.RULES[rule](current, self.regle):
                    self.add_error(key if key in self.fields else None, message)
        return cleaned

    def _json_of(self, cleaned: dict) -> dict:
        result = {}
        for name in self.fields:
            spec = self.specs[name]
            if spec["type"] == "file":
                continue
            value = cleaned.get(name)
            result[name] = get_type(spec["type"]).to_json(value) if value is not None else None
        return result

    def answers_json(self) -> dict:
        """This step's answers as JSON (files excluded: the caller stores them as pieces)."""
        data = self._json_of(self.cleaned_data)
        data.update({k: str(v) for k, v in self.computed.items()})
        return data

    def displayed_fields(self):
        """(spec, bound field or None) in schema order, info and computed fields included."""
        for name, spec in self.specs.items():
            yield spec, (self[name] if name in self.fields else None)


def form_class(schema: dict, step_key: str) -> type[StepForm]:
    """The form class of one step. Cached by the schema's hash (a version never changes)."""
    _SCHEMAS.setdefault(schema["hash"], schema)
    return _form_class(schema["hash"], step_key)


@lru_cache(maxsize=4096)
def _form_class(schema_hash: str, step_key: str) -> type[StepForm]:
    schema = _SCHEMAS[schema_hash]
    step = next(s for s in schema["steps"] if s["key"] == step_key)
    attrs: dict = {"schema": schema, "step": step, "specs": {}}
    for spec in step["fields"]:
        attrs["specs"][spec["key"]] = spec
        field_type = get_type(spec["type"])
        if not field_type.is_input:
            continue
        required = bool(spec.get("required")) and not spec.get("condition")
        attrs[spec["key"]] = field_type.form_field(Spec(spec), required=required)
    return type(f"Etape_{step_key}", (StepForm,), attrs)


def step_keys(schema: dict) -> list[str]:
    return [step["key"] for step in schema["steps"]]


def form_data(step: dict, answers: dict) -> tuple[MultiValueDict, dict]:
    """Stored JSON answers → (data, initial for files) as a browser would post them."""
    data = MultiValueDict()
    initial = {}
    for spec in step["fields"]:
        key, kind = spec["key"], spec["type"]
        value = answers.get(key)
        if kind in ("computed", "info") or value in (None, ""):
            if kind == "file" and value:
                initial[key] = value
            continue
        if kind == "file":
            initial[key] = value
        elif kind == "date_range":
            data[f"{key}_0"], data[f"{key}_1"] = value.get("debut", ""), value.get("fin", "")
        elif kind == "address":
            data[f"{key}_0"] = value.get("ligne", "")
            data[f"{key}_1"] = value.get("code_postal", "")
            data[f"{key}_2"] = value.get("commune", "")
        elif kind == "table":
            for index, row in enumerate(value or []):
                for column in spec["columns"]:
                    data[f"{key}-{index}-{column['key']}"] = _scalar(row.get(column["key"]))
        elif kind == "multichoice":
            data.setlist(key, list(value))
        elif kind == "yesno":
            data[key] = "oui" if value else "non"
        elif kind == "consent":
            if value:
                data[key] = "on"
        else:
            data[key] = _scalar(value)
    return data, initial


def _scalar(value) -> str:
    if value is True:
        return "oui"
    if value is False:
        return "non"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def bind_stored(schema: dict, step_key: str, answers: dict) -> StepForm:
    step = next(s for s in schema["steps"] if s["key"] == step_key)
    data, files_initial = form_data(step, answers)
    form = form_class(schema, step_key)(
        data=data, files=MultiValueDict(), answers=answers, initial=files_initial
    )
    return form


def validate_answers(schema: dict, answers: dict) -> dict[str, dict]:
    """Re-validate stored answers step by step: {step key: errors} for the steps with errors."""
    problems = {}
    for key in step_keys(schema):
        form = bind_stored(schema, key, answers)
        if not form.is_valid():
            problems[key] = form.errors.get_json_data()
    return problems


def initial_values(schema: dict, step_key: str, answers: dict) -> dict:
    """JSON answers → initial values of a step's unbound form (prefill and drafts)."""
    step = next(s for s in schema["steps"] if s["key"] == step_key)
    initial = {}
    for spec in step["fields"]:
        value = answers.get(spec["key"])
        if value in (None, "") or not get_type(spec["type"]).is_input:
            continue
        initial[spec["key"]] = get_type(spec["type"]).from_json(value)
    return initial
