"""Vietnamese phone numbers: parse with ``phonenumbers`` (region VN), keep only mobiles, E.164.

Rejected with a reason a coordinator can act on: landlines (no SMS), the 11-digit mobile
numbers retired in 2018 (the reason names the new prefix), numbers of other countries and
anything invalid. Rejected numbers are never sent to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# Prefix changes of 2018 (old 01xx mobile prefixes -> new 0xx ones), by the Ministry of
# Information and Communications.
OLD_MOBILE_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_FIXED_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.VOIP}
_NON_DIGITS = re.compile(r"[\s.\-()]")


class InvalidPhone(ValueError):
    """The number cannot receive our SMS; ``reason`` is a short code, the message explains."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Phone:
    e164: str
    national: str  # as Vietnamese people write it: 0912 345 678


def _national_digits(raw: str) -> str:
    digits = _NON_DIGITS.sub("", raw)
    if digits.startswith("0084"):
        digits = "+" + digits[2:]
    if digits.startswith("+84"):
        return "0" + digits[3:]
    if digits.startswith("84") and len(digits) >= 11:
        return "0" + digits[2:]
    return digits


def _old_mobile(raw: str) -> InvalidPhone | None:
    digits = _national_digits(raw)
    if len(digits) == 11 and digits[:4] in OLD_MOBILE_PREFIXES:
        new = OLD_MOBILE_PREFIXES[digits[:4]] + digits[4:]
        return InvalidPhone(
            "old_mobile",
            f"{raw} is an 11-digit mobile number retired in 2018; the new number is probably {new}",
        )
    return None


def parse_phone(raw: str, region: str = "VN") -> Phone:
    """Parse a number typed by a person or sent by a provider; raise ``InvalidPhone``."""
    if not raw or not raw.strip():
        raise InvalidPhone("empty", "no phone number given")
    old = _old_mobile(raw)
    if old is not None:
        raise old
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("unparseable", f"{raw!r} is not a phone number") from None
    if phonenumbers.region_code_for_number(number) != region:
        raise InvalidPhone("foreign", f"{raw} is not a Vietnamese number")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid", f"{raw} is not a valid Vietnamese number")
    kind = phonenumbers.number_type(number)
    if kind in _FIXED_TYPES:
        raise InvalidPhone("landline", f"{raw} is a landline and cannot receive SMS")
    if kind not in _MOBILE_TYPES:
        raise InvalidPhone("not_mobile", f"{raw} is not a mobile number")
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
    )


def to_e164(raw: str, region: str = "VN") -> str:
    """Shortcut: the E.164 form or ``InvalidPhone``."""
    return parse_phone(raw, region).e164
