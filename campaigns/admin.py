"""The owner's admin pages that need more than one app."""

# The owner's member page (wallet, history, GDPR buttons, import and export) replaces
# members' own MemberAdmin; it reads rewards and referrals, so it lives here.
from campaigns import member_admin  # noqa: F401
