"""The field catalogue. Each type owns its server-side validation, its widget, its JSON form for
storage and its read-only display. A field is described by a *spec*, a plain dict stored in the
scheme version's schema (see docs/formulaire.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.formats import date_format
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from dispositifs import territoires
from dispositifs.engine.parsing import format_decimal, format_euros, normalise_phone, parse_decimal

MAX_TEXT = 255
MAX_LONG_TEXT = 5000
MAX_AMOUNT = Decimal("999999999999.99")
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"]

FILE_TYPES = {
    "pdf": ("application/pdf", "PDF"),
    "jpg": ("image/jpeg", "JPEG"),
    "png": ("image/png", "PNG"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (.docx)",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"),
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument texte (.odt)"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument tableur (.ods)"),
}
DEFAULT_FILE_TYPES = ("pdf", "jpg", "png")


class ConfigurationError(ValueError):
    """A field spec that cannot work (unknown type, missing choices…)."""


@dataclass(frozen=True)
class Spec:
    """Typed access to a field spec dict."""

    raw: dict

    @property
    def key(self) -> str:
        return self.raw["key"]

    @property
    def type(self) -> str:
        return self.raw["type"]

    @property
    def label(self) -> str:
        return self.raw.get("label", self.key)

    @property
    def help(self) -> str:
        return self.raw.get("help", "")

    @property
    def required(self) -> bool:
        return bool(self.raw.get("required", False))

    @property
    def condition(self) -> dict | None:
        return self.raw.get("condition")

    def get(self, name: str, default: Any = None) -> Any:
        return self.raw.get(name, default)


# --- Widgets -------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LabelledMultiWidget(forms.MultiWidget):
    """A group of inputs, each with its own visible label (date range, postal address)."""

    template_name = "dispositifs/widgets/groupe.html"
    sub_labels: ClassVar[tuple[str, ...]] = ()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for sub, label in zip(context["widget"]["subwidgets"], self.sub_labels, strict=False):
            sub["libelle"] = label
        return context


class DateRangeWidget(LabelledMultiWidget):
    sub_labels = ("Date de début", "Date de fin")

    def __init__(self, attrs=None):
        super().__init__([DateInput(), DateInput()], attrs)

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("debut"), value.get("fin")]
        return [None, None]


class AddressWidget(LabelledMultiWidget):
    sub_labels = ("Numéro et voie", "Code postal", "Commune")

    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.TextInput(attrs={"autocomplete": "street-address"}),
                forms.TextInput(
                    attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": "6"}
                ),
                forms.TextInput(attrs={"autocomplete": "address-level2"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("ligne"), value.get("code_postal"), value.get("commune")]
        return [None, None, None]


class TableWidget(forms.Widget):
    """A repeatable table rendered as an HTML table of inputs, one row per line, with spare
    empty rows (up to max_rows). Names: ``<key>-<row>-<column>``."""

    template_name = "dispositifs/widgets/tableau.html"

    def __init__(self, columns: list[dict], max_rows: int, caption: str, attrs=None):
        super().__init__(attrs)
        self.columns = columns
        self.max_rows = max_rows
        self.caption = caption

    def value_from_datadict(self, data, files, name):
        rows = []
        for index in range(self.max_rows):
            row = {c["key"]: data.get(f"{name}-{index}-{c['key']}", "") for c in self.columns}
            rows.append(row)
        return rows

    def value_omitted_from_data(self, data, files, name):
        return not any(key.startswith(f"{name}-") for key in data)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [
            r for r in (value or []) if isinstance(r, dict) and any(_filled(v) for v in r.values())
        ]
        shown = min(self.max_rows, max(len(rows) + 2, 3))
        table_rows = []
        for index in range(shown):
            row = rows[index] if index < len(rows) else {}
            cells = []
            for column in self.columns:
                raw = row.get(column["key"], "")
                cells.append(
                    {
                        "name": f"{name}-{index}-{column['key']}",
                        "id": f"{attrs.get('id', 'id_' + name)}-{index}-{column['key']}",
                        "value": _cell_text(column, raw),
                        "label": f"Ligne {index + 1} : {column.get('label', column['key'])}",
                        "choices": column.get("choices"),
                        "numeric": column["type"] in ("amount", "integer", "percentage"),
                    }
                )
            table_rows.append({"number": index + 1, "cells": cells})
        context["widget"].update(
            {"columns": self.columns, "rows": table_rows, "caption": self.caption}
        )
        return context


def _filled(value) -> bool:
    return value not in (None, "", [], {})


def _cell_text(column: dict, raw) -> str:
    if raw in (None, ""):
        return ""
    if column["type"] in ("amount", "percentage") and not isinstance(raw, str):
        return format_decimal(raw)
    return str(raw)


# --- Form fields ---------------------------------------------------------------------------------


class DecimalFrField(forms.Field):
    """A number typed the French way (« 12 345,50 »), kept as a Decimal with 2 decimals."""

    widget = forms.TextInput

    def __init__(self, *, min_value=None, max_value=None, unit: str = "", **kwargs):
        self.min_value = Decimal(str(min_value)) if min_value is not None else None
        self.max_value = Decimal(str(max_value)) if max_value is not None else None
        self.unit = unit
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        if isinstance(value, Decimal):
            return value
        if value in self.empty_values:
            return None
        number = parse_decimal(str(value))
        if number is None:
            raise ValidationError("Saisissez un nombre, par exemple 12 500,50.", code="invalid")
        try:
            rounded = number.quantize(Decimal("0.01"))
        except InvalidOperation:  # more digits than the decimal context holds
            raise ValidationError("Ce nombre est trop grand.", code="max_value") from None
        if abs(number.as_tuple().exponent) > 2 and number != rounded:
            raise ValidationError(
                "Indiquez au plus deux chiffres après la virgule.", code="decimals"
            )
        return rounded

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                f"La valeur doit être au moins {format_decimal(self.min_value)}{self.unit}.",
                code="min_value",
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                f"La valeur doit être au plus {format_decimal(self.max_value)}{self.unit}.",
                code="max_value",
            )

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value


class DateRangeField(forms.MultiValueField):
    widget = DateRangeWidget

    def __init__(self, **kwargs):
        fields = [
            forms.DateField(input_formats=DATE_INPUT_FORMATS),
            forms.DateField(input_formats=DATE_INPUT_FORMATS),
        ]
        kwargs.setdefault(
            "error_messages",
            {
                "incomplete": "Indiquez la date de début et la date de fin.",
                "invalid": "Date invalide.",
            },
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        debut, fin = data_list
        if debut and fin and fin < debut:
            raise ValidationError(
                "La date de fin doit être postérieure ou égale à la date de début.", code="order"
            )
        return {"debut": debut, "fin": fin}


class AddressField(forms.MultiValueField):
    widget = AddressWidget

    def __init__(self, **kwargs):
        fields = [
            forms.CharField(max_length=MAX_TEXT),
            forms.CharField(max_length=5),
            forms.CharField(max_length=MAX_TEXT),
        ]
        kwargs.setdefault(
            "error_messages",
            {"incomplete": "Indiquez le numéro et la voie, le code postal et la commune."},
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        ligne, code_postal, commune = (v.strip() for v in data_list)
        if not re.fullmatch(r"\d{5}", code_postal):
            raise ValidationError("Le code postal compte 5 chiffres.", code="postal_code")
        if not territoires.communes_par_code_postal(code_postal):
            raise ValidationError(
                f"Le code postal {code_postal} n'existe pas. Vérifiez-le.", code="postal_code"
            )
        return {"ligne": ligne, "code_postal": code_postal, "commune": commune}


class TableField(forms.Field):
    """Rows of typed cells: each cell is validated by its column's field type."""

    def __init__(self, *, columns: list[dict], min_rows: int, max_rows: int, caption: str, **kw):
        self.columns = columns
        self.min_rows = min_rows
        self.max_rows = max_rows
        kw["widget"] = TableWidget(columns, max_rows, caption)
        super().__init__(**kw)

    def clean(self, value):
        rows = [r for r in (value or []) if any(_filled(v) for v in r.values())]
        errors = []
        cleaned_rows = []
        for number, row in enumerate(rows, start=1):
            cleaned = {}
            for column in self.columns:
                field_type = get_type(column["type"])
                cell_field = field_type.form_field(
                    Spec(column), required=column.get("required", True)
                )
                try:
                    cleaned[column["key"]] = field_type.to_json(
                        cell_field.clean(row.get(column["key"], ""))
                    )
                except ValidationError as error:
                    label = column.get("label", column["key"])
                    errors.extend(f"Ligne {number}, {label} : {m}" for m in error.messages)
            cleaned_rows.append(cleaned)
        if errors:
            raise ValidationError(errors)
        if self.required and not cleaned_rows:
            raise ValidationError("Remplissez au moins une ligne.", code="required")
        if cleaned_rows and len(cleaned_rows) < self.min_rows:
            raise ValidationError(f"Remplissez au moins {self.min_rows} lignes.", code="min_rows")
        if len(cleaned_rows) > self.max_rows:
            raise ValidationError(f"{self.max_rows} lignes au plus.", code="max_rows")
        return cleaned_rows


class SniffedFileField(forms.FileField):
    """A file whose type is recognised from its content, never from its name."""

    widget = forms.FileInput

    def __init__(self, *, allowed: tuple[str, ...], max_bytes: int, **kwargs):
        self.allowed = allowed
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ",".join(FILE_TYPES[t][0] for t in self.allowed)
        return attrs

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and hasattr(value, "read") and value is not initial:
            check_upload(value, allowed=self.allowed, max_bytes=self.max_bytes)
        return value


def describe_types(allowed) -> str:
    return ", ".join(FILE_TYPES[t][1] for t in allowed)


def check_upload(upload, *, allowed, max_bytes: int) -> str:
    """Refuse a file that is too big or whose content is not one of the allowed types."""
    if upload.size > max_bytes:
        poids = f"{upload.size / 1_048_576:.1f}".replace(".", ",")  # « 3,2 Mo »
        raise ValidationError(
            f"Le fichier pèse {poids} Mo : la limite est de "
            f"{max_bytes / 1_048_576:.0f} Mo. Réduisez-le (par exemple en le numérisant en "
            "niveaux de gris) puis déposez-le de nouveau.",
            code="size",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(position)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if kind and kind.extension == "zip" and "docx" in allowed:
        mime = _office_mime(upload) or mime
    accepted = {FILE_TYPES[t][0]: t for t in allowed}
    if mime not in accepted:
        raise ValidationError(
            f"Le contenu de ce fichier n'est pas d'un type accepté ({describe_types(allowed)}), "
            "quel que soit son nom. Enregistrez-le dans l'un de ces formats.",
            code="type",
        )
    return accepted[mime]


def _office_mime(upload) -> str | None:
    import zipfile

    position = upload.tell()
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return archive.read("mimetype").decode("ascii", "ignore").strip()
            if "word/document.xml" in names:
                return FILE_TYPES["docx"][0]
            if "xl/workbook.xml" in names:
                return FILE_TYPES["xlsx"][0]
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(position)
    return None


# --- Field types ---------------------------------------------------------------------------------


class FieldType:
    code: ClassVar[str]
    label: ClassVar[str]
    is_input: ClassVar[bool] = True

    def form_field(self, spec: Spec, *, required: bool) -> forms.Field:
        raise NotImplementedError

    def check_spec(self, spec: Spec) -> list[str]:
        return []

    def to_json(self, value):
        return value

    def from_json(self, value):
        return value

    def display(self, value, spec: Spec) -> str:
        if value in (None, "", [], {}):
            return "—"
        return str(value)

    def json_schema(self, spec: Spec) -> dict:
        return {"type": "string"}

    def common(self, spec: Spec, required: bool) -> dict:
        return {"label": spec.label, "help_text": spec.help, "required": required}


class TextType(FieldType):
    code, label = "text", "Texte court"

    def form_field(self, spec, *, required):
        return forms.CharField(
            max_length=spec.get("max_length", MAX_TEXT), **self.common(spec, required)
        )


class LongTextType(FieldType):
    code, label = "textarea", "Texte long"

    def form_field(self, spec, *, required):
        return forms.CharField(
            max_length=spec.get("max_length", MAX_LONG_TEXT),
            widget=forms.Textarea(attrs={"rows": 5}),
            **self.common(spec, required),
        )


def _bound(value) -> int | None:
    """An integer bound from a spec: stored versions hold them as strings (« 2 »)."""
    return None if value in (None, "") else int(Decimal(str(value)))


class IntegerType(FieldType):
    code, label = "integer", "Nombre entier"

    def form_field(self, spec, *, required):
        return forms.IntegerField(
            min_value=_bound(spec.get("min", 0)),
            max_value=_bound(spec.get("max", 10**12)),
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            error_messages={"invalid": "Saisissez un nombre entier, sans virgule."},
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return "—" if value is None else f"{value:,}".replace(",", "\u202f")

    def json_schema(self, spec):
        return {"type": "integer"}


class AmountType(FieldType):
    code, label = "amount", "Montant en euros"

    def form_field(self, spec, *, required):
        minimum = spec.get("min", 0)
        return DecimalFrField(
            min_value=max(Decimal(str(minimum)), Decimal(0)),
            max_value=spec.get("max", MAX_AMOUNT),
            unit=" €",
            **self.common(spec, required),
        )

    def to_json(self, value):
        return None if value is None else str(value)

    def from_json(self, value):
        return None if value in (None, "") else Decimal(value)

    def display(self, value, spec):
        return "—" if value in (None, "") else format_euros(value)

    def json_schema(self, spec):
        return {"type": "string", "format": "decimal", "pattern": r"^\d+(\.\d{1,2})?$"}


class PercentageType(AmountType):
    code, label = "percentage", "Pourcentage"

    def form_field(self, spec, *, required):
        return DecimalFrField(
            min_value=spec.get("min", 0),
            max_value=spec.get("max", 100),
            unit=" %",
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return "—" if value in (None, "") else f"{format_decimal(value)}\u00a0%"


class DateType(FieldType):
    code, label = "date", "Date"

    def form_field(self, spec, *, required):
        return forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            widget=DateInput(),
            error_messages={"invalid": "Saisissez une date valide, par exemple 15/03/2027."},
            **self.common(spec, required),
        )

    def to_json(self, value):
        return value.isoformat() if value else None

    def from_json(self, value):
        return dt.date.fromisoformat(value) if value else None

    def display(self, value, spec):
        value = self.from_json(value) if isinstance(value, str) else value
        return date_format(value, "j F Y") if value else "—"

    def json_schema(self, spec):
        return {"type": "string", "format": "date"}


class DateRangeType(FieldType):
    code, label = "date_range", "Période (du… au…)"

    def form_field(self, spec, *, required):
        return DateRangeField(**self.common(spec, required))

    def to_json(self, value):
        if not value:
            return None
        return {"debut": value["debut"].isoformat(), "fin": value["fin"].isoformat()}

    def from_json(self, value):
        if not value:
            return None
        return {k: dt.date.fromisoformat(v) for k, v in value.items() if v}

    def display(self, value, spec):
        value = self.from_json(value) if value and isinstance(value.get("debut"), str) else value
        if not value:
            return "—"
        return f"du {date_format(value['debut'], 'j F Y')} au {date_format(value['fin'], 'j F Y')}"

    def json_schema(self, spec):
        date = {"type": "string", "format": "date"}
        return {"type": "object", "properties": {"debut": date, "fin": date}}


class ChoiceType(FieldType):
    code, label = "choice", "Choix unique"

    def check_spec(self, spec):
        choices = spec.get("choices") or []
        if len(choices) < 2:
            return [f"« {spec.key} » : un choix demande au moins deux options."]
        codes = [c[0] for c in choices]
        if len(set(codes)) != len(codes):
            return [f"« {spec.key} » : deux options ont le même code."]
        return []

    def choices(self, spec):
        return [tuple(c) for c in spec.get("choices") or []]

    def form_field(self, spec, *, required):
        choices = self.choices(spec)
        if len(choices) <= 5:
            widget = forms.RadioSelect
        else:
            widget = forms.Select
            choices = [("", "— Choisir —"), *choices]
        return forms.ChoiceField(
            choices=choices,
            widget=widget,
            error_messages={"invalid_choice": "Choisissez l'une des options proposées."},
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return dict(self.choices(spec)).get(value, "—")

    def json_schema(self, spec):
        return {"type": "string", "enum": [c[0] for c in self.choices(spec)]}


class MultiChoiceType(ChoiceType):
    code, label = "multichoice", "Choix multiple"

    def form_field(self, spec, *, required):
        return forms.MultipleChoiceField(
            choices=self.choices(spec),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Choisissez parmi les options proposées."},
            **self.common(spec, required),
        )

    def display(self, value, spec):
        labels = dict(self.choices(spec))
        return ", ".join(labels.get(v, v) for v in value or []) or "—"

    def json_schema(self, spec):
        return {"type": "array", "items": super().json_schema(spec)}


class YesNoType(FieldType):
    code, label = "yesno", "Oui / non"

    def form_field(self, spec, *, required):
        return forms.TypedChoiceField(
            choices=[("oui", "Oui"), ("non", "Non")],
            coerce=lambda v: v == "oui",
            empty_value=None,
            widget=forms.RadioSelect,
            **self.common(spec, required),
        )

    def from_json(self, value):
        return {True: "oui", False: "non"}.get(value)

    def display(self, value, spec):
        return {True: "Oui", False: "Non"}.get(value, "—")

    def json_schema(self, spec):
        return {"type": "boolean"}


class ConsentType(FieldType):
    code, label = "consent", "Case à cocher (engagement)"

    def form_field(self, spec, *, required):
        return forms.BooleanField(
            error_messages={"required": "Cochez cette case pour continuer."},
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return "Oui" if value else "Non"

    def json_schema(self, spec):
        return {"type": "boolean"}


class EmailType(FieldType):
    code, label = "email", "Adresse électronique"

    def form_field(self, spec, *, required):
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            error_messages={
                "invalid": "Saisissez une adresse électronique valide, comme nom@exemple.fr."
            },
            **self.common(spec, required),
        )

    def json_schema(self, spec):
        return {"type": "string", "format": "email"}


class PhoneField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        phone = normalise_phone(value)
        if phone is None:
            raise ValidationError(
                "Saisissez un numéro de téléphone français à 10 chiffres, comme 05 55 12 34 56.",
                code="invalid",
            )
        return phone


class PhoneType(FieldType):
    code, label = "phone", "Téléphone"

    def form_field(self, spec, *, required):
        return PhoneField(
            max_length=30,
            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            **self.common(spec, required),
        )


class AddressType(FieldType):
    code, label = "address", "Adresse postale"

    def form_field(self, spec, *, required):
        return AddressField(**self.common(spec, required))

    def display(self, value, spec):
        if not value:
            return "—"
        return f"{value['ligne']}, {value['code_postal']} {value['commune']}"

    def json_schema(self, spec):
        text = {"type": "string"}
        return {
            "type": "object",
            "properties": {"ligne": text, "code_postal": text, "commune": text},
        }


class CommuneField(forms.CharField):
    """A commune typed by name, « code postal + nom » or INSEE code; stored as its INSEE code."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return resolve_commune(value)


def resolve_commune(value: str) -> str:
    text = value.strip()
    direct = territoires.commune(text.upper())
    if direct:
        return direct.code
    match = re.fullmatch(r"(\d{5})\s*[-–]?\s*(.*)", text)
    if match:
        candidates = territoires.communes_par_code_postal(match.group(1))
        name = territoires.normaliser(match.group(2)) if match.group(2) else ""
        if name:
            candidates = [c for c in candidates if territoires.normaliser(c.nom) == name]
        if len(candidates) == 1:
            return candidates[0].code
        if len(candidates) > 1:
            names = ", ".join(c.nom for c in candidates[:6])
            raise ValidationError(
                f"Ce code postal couvre plusieurs communes ({names}…) : ajoutez le nom de la "
                "commune après le code postal.",
                code="ambiguous",
            )
    else:
        wanted = territoires.normaliser(text)
        exact = [
            c
            for c in territoires.rechercher_communes(text, limite=50)
            if territoires.normaliser(c.nom) == wanted
        ]
        if len(exact) == 1:
            return exact[0].code
        if len(exact) > 1:
            raise ValidationError(
                "Plusieurs communes portent ce nom : indiquez le code postal avant le nom, "
                "par exemple « 87200 Saint-Junien ».",
                code="ambiguous",
            )
    raise ValidationError(
        "Commune introuvable. Indiquez son nom, ou son code postal suivi du nom.", code="unknown"
    )


def commune_label(code: str) -> str:
    commune = territoires.commune(code) if code else None
    return f"{commune.nom} ({commune.departement})" if commune else (code or "—")


class CommuneType(FieldType):
    code, label = "commune", "Commune (code INSEE)"

    def form_field(self, spec, *, required):
        return CommuneField(
            max_length=120,
            widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return commune_label(value)

    def json_schema(self, spec):
        return {"type": "string", "pattern": r"^[0-9][0-9AB][0-9]{3}$", "description": "code INSEE"}


class DepartementType(FieldType):
    code, label = "departement", "Département"

    def form_field(self, spec, *, required):
        region = spec.get("region")
        choices = [("", "— Choisir —")] + [
            (d.code, f"{d.code} — {d.nom}") for d in territoires.departements(region)
        ]
        return forms.ChoiceField(choices=choices, **self.common(spec, required))

    def display(self, value, spec):
        departement = territoires.departement(value) if value else None
        return f"{departement.nom} ({departement.code})" if departement else "—"


class IdentifierField(forms.CharField):
    def __init__(self, *, normalise, check, message: str, **kwargs):
        self.normalise = normalise
        self.check = check
        self.message = message
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        compact = self.normalise(value)
        if not self.check(compact):
            raise ValidationError(self.message, code="invalid")
        return compact


def _compact_digits(value: str) -> str:
    return re.sub(r"[\s.\-\u00a0]", "", value)


class SiretType(FieldType):
    code, label = "siret", "SIRET"

    def form_field(self, spec, *, required):
        return IdentifierField(
            normalise=_compact_digits,
            check=stdnum_siret.is_valid,
            message="Ce numéro SIRET n'est pas valide : il compte 14 chiffres (SIREN + 5 chiffres "
            "de l'établissement). Vérifiez-le sur votre extrait Kbis ou votre avis de situation INSEE.",
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return stdnum_siret.format(value) if value else "—"

    def json_schema(self, spec):
        return {"type": "string", "pattern": r"^\d{14}$"}


class SirenType(FieldType):
    code, label = "siren", "SIREN"

    def form_field(self, spec, *, required):
        return IdentifierField(
            normalise=_compact_digits,
            check=stdnum_siren.is_valid,
            message="Ce numéro SIREN n'est pas valide : il compte 9 chiffres.",
            max_length=15,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **self.common(spec, required),
        )

    def json_schema(self, spec):
        return {"type": "string", "pattern": r"^\d{9}$"}


class RnaType(FieldType):
    code, label = "rna", "Numéro RNA (association)"

    def form_field(self, spec, *, required):
        return IdentifierField(
            normalise=lambda v: _compact_digits(v).upper(),
            check=lambda v: re.fullmatch(r"W\d{9}", v) is not None,
            message="Le numéro RNA commence par W suivi de 9 chiffres, par exemple W872001234.",
            max_length=12,
            **self.common(spec, required),
        )

    def json_schema(self, spec):
        return {"type": "string", "pattern": r"^W\d{9}$"}


def _valid_iban(value: str) -> bool:
    try:
        IBAN(value)
    except SchwiftyException:
        return False
    return True


def _valid_bic(value: str) -> bool:
    try:
        BIC(value)
    except SchwiftyException:
        return False
    return True


class IbanType(FieldType):
    code, label = "iban", "IBAN"

    def form_field(self, spec, *, required):
        return IdentifierField(
            normalise=lambda v: re.sub(r"\s", "", v).upper(),
            check=_valid_iban,
            message="Cet IBAN n'est pas valide. Recopiez-le depuis votre RIB (il commence par FR76 "
            "pour un compte en France).",
            max_length=42,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            **self.common(spec, required),
        )

    def display(self, value, spec):
        return IBAN(value).formatted if value else "—"

    def json_schema(self, spec):
        return {"type": "string", "pattern": r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$"}


class BicType(FieldType):
    code, label = "bic", "BIC"

    def form_field(self, spec, *, required):
        return IdentifierField(
            normalise=lambda v: re.sub(r"\s", "", v).upper(),
            check=_valid_bic,
            message="Ce BIC n'est pas valide : il compte 8 ou 11 caractères (voir votre RIB).",
            max_length=11,
            **self.common(spec, required),
        )


class FileType(FieldType):
    code, label = "file", "Fichier"

    def check_spec(self, spec):
        unknown = [t for t in spec.get("types", DEFAULT_FILE_TYPES) if t not in FILE_TYPES]
        return (
            [f"« {spec.key} » : type de fichier inconnu {', '.join(unknown)}."] if unknown else []
        )

    def form_field(self, spec, *, required):
        allowed = tuple(spec.get("types") or DEFAULT_FILE_TYPES)
        max_mb = spec.get("max_mb") or settings.MDNA_UPLOAD_MAX_BYTES // 1_048_576
        help_text = spec.help
        limits = f"Formats acceptés : {describe_types(allowed)}. Taille maximale : {max_mb} Mo."
        return SniffedFileField(
            allowed=allowed,
            max_bytes=int(max_mb * 1_048_576),
            label=spec.label,
            help_text=f"{help_text} {limits}".strip(),
            required=required,
            error_messages={"required": "Déposez ce document pour continuer."},
        )

    def display(self, value, spec):
        if not value:
            return "—"
        return value.get("nom", "document") if isinstance(value, dict) else str(value)

    def json_schema(self, spec):
        return {"type": "object", "description": "référence d'une pièce déposée"}


class TableType(FieldType):
    code, label = "table", "Tableau à lignes répétables"

    def check_spec(self, spec):
        errors = []
        columns = spec.get("columns") or []
        if not columns:
            errors.append(f"« {spec.key} » : un tableau demande au moins une colonne.")
        for column in columns:
            if column.get("type") not in CELL_TYPES:
                errors.append(
                    f"« {spec.key} » : la colonne « {column.get('key')} » a un type non admis "
                    f"dans un tableau ({column.get('type')})."
                )
        if spec.get("min_rows", 0) > spec.get("max_rows", 20):
            errors.append(f"« {spec.key} » : le minimum de lignes dépasse le maximum.")
        return errors

    def form_field(self, spec, *, required):
        return TableField(
            columns=spec.get("columns"),
            min_rows=spec.get("min_rows", 0),
            max_rows=spec.get("max_rows", 20),
            caption=spec.label,
            label=spec.label,
            help_text=spec.help,
            required=required,
        )

    def display(self, value, spec):
        return f"{len(value or [])} ligne(s)"

    def json_schema(self, spec):
        properties = {
            c["key"]: get_type(c["type"]).json_schema(Spec(c)) for c in spec.get("columns", [])
        }
        return {
            "type": "array",
            "minItems": spec.get("min_rows", 0),
            "maxItems": spec.get("max_rows", 20),
            "items": {"type": "object", "properties": properties},
        }


class ComputedType(FieldType):
    """Computed from other answers by a named formula (see formulas.py); never typed."""

    code, label = "computed", "Champ calculé"
    is_input = False

    def check_spec(self, spec):
        from dispositifs.engine.formulas import FORMULAS

        if spec.get("formula") not in FORMULAS:
            return [f"« {spec.key} » : formule inconnue « {spec.get('formula')} »."]
        return []

    def display(self, value, spec):
        return AmountType().display(value, spec)

    def json_schema(self, spec):
        return {"type": "string", "format": "decimal", "readOnly": True}


class InfoType(FieldType):
    code, label = "info", "Texte explicatif"
    is_input = False

    def json_schema(self, spec):
        return {"type": "null", "description": spec.help or spec.label}


FIELD_TYPES: dict[str, FieldType] = {
    t.code: t
    for t in (
        TextType(),
        LongTextType(),
        IntegerType(),
        AmountType(),
        PercentageType(),
        DateType(),
        DateRangeType(),
        ChoiceType(),
        MultiChoiceType(),
        YesNoType(),
        ConsentType(),
        EmailType(),
        PhoneType(),
        AddressType(),
        CommuneType(),
        DepartementType(),
        SiretType(),
        SirenType(),
        RnaType(),
        IbanType(),
        BicType(),
        FileType(),
        TableType(),
        ComputedType(),
        InfoType(),
    )
}
CELL_TYPES = {"text", "integer", "amount", "percentage", "date", "choice", "yesno"}


def get_type(code: str) -> FieldType:
    try:
        return FIELD_TYPES[code]
    except KeyError as exc:
        raise ConfigurationError(f"Type de champ inconnu : « {code} ».") from exc


def render_readonly(spec: dict, value) -> str:
    return render_to_string(
        "dispositifs/widgets/lecture.html",
        {"label": spec.get("label"), "value": get_type(spec["type"]).display(value, Spec(spec))},
    )
