"""Parsing what people type: French amounts ("12 345,50 €"), phone numbers, dates."""

import re
from decimal import Decimal, InvalidOperation

NARROW_NBSP = "\u202f"
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(value: str) -> Decimal | None:
    """« 12 345,50 € » → Decimal("12345.50"); None when it is not a number."""
    text = _SPACES.sub("", str(value)).replace("€", "").replace("%", "").replace(",", ".")
    if not text:
        return None
    if text.count(".") > 1 or not re.fullmatch(r"[+-]?\d*\.?\d*", text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


_PHONE = re.compile(r"^(?:\+33|0033|0)([1-9])(\d{8})$")


def normalise_phone(value: str) -> str | None:
    """French phone numbers: « 05.55.12.34.56 », « +33 5 55 12 34 56 » → « 05 55 12 34 56 »."""
    compact = re.sub(r"[\s.\-()\u00a0]", "", value)
    match = _PHONE.match(compact)
    if not match:
        return None
    digits = "0" + match.group(1) + match.group(2)
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def format_euros(value) -> str:
    """Decimal("12345.5") → « 12 345,50 € » (narrow no-break spaces, as in French typography)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    integer, _, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    return sign + NARROW_NBSP.join(groups) + "," + cents + "\u00a0€"


def format_decimal(value) -> str:
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
