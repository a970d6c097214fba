"""Every write about members that matters: joining, profile, consents, the card's lookup,
export and erasure. Views, admin actions, tasks and commands call these functions; they hold
the rules. Import from here (`from members import services`, `services.member_erase`); the
modules are only how the code is laid out.
"""

from members.services.accounts import (
    NUMBER_ALPHABET,
    NUMBER_LENGTH,
    UNSUBSCRIBE_SALT,
    MembersError,
    consent_set,
    consent_wording,
    member_channel_set,
    member_contact_update,
    member_create_for_user,
    member_join,
    member_welcome_send,
    preferences_update,
    profile_is_complete,
    profile_update,
    unsubscribe_token,
    unsubscribe_verify,
)
from members.services.gdpr import (
    ERASURE_WARNING_DAYS,
    erasure_warning_channel,
    export_time,
    member_erase,
    member_erasure_warning_send,
    member_export,
    member_export_archive,
    personal_values,
    text_mentions,
)
from members.services.home import home_shop_settle
from members.services.identify import IDENTIFY_MAX_LENGTH, card_code, member_identify

__all__ = [
    "ERASURE_WARNING_DAYS",
    "IDENTIFY_MAX_LENGTH",
    "NUMBER_ALPHABET",
    "NUMBER_LENGTH",
    "UNSUBSCRIBE_SALT",
    "MembersError",
    "card_code",
    "consent_set",
    "consent_wording",
    "erasure_warning_channel",
    "export_time",
    "home_shop_settle",
    "member_channel_set",
    "member_contact_update",
    "member_create_for_user",
    "member_erase",
    "member_erasure_warning_send",
    "member_export",
    "member_export_archive",
    "member_identify",
    "member_join",
    "member_welcome_send",
    "personal_values",
    "preferences_update",
    "profile_is_complete",
    "profile_update",
    "text_mentions",
    "unsubscribe_token",
    "unsubscribe_verify",
]
