"""Phone numbers in, E.164 out. Norway (+47) is the default region for local numbers."""

import phonenumbers

DEFAULT_REGION = "NO"


class InvalidPhoneNumber(ValueError):
    pass


_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def phone_normalize(raw: str, *, region: str = DEFAULT_REGION, mobile: bool = True) -> str:
    """Return `raw` as E.164 (+4791234567) or raise InvalidPhoneNumber.

    Accepts local ("912 34 567"), international ("+47 912 34 567") and 00-prefixed forms.
    With `mobile` (the default) a landline is refused: codes and offers go out by SMS.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text or len(text) > 32:
        raise InvalidPhoneNumber(raw)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(raw)
    if mobile and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """Format a stored number for people: national format at home, international abroad."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
