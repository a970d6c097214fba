"""Outgoing webhooks: the owner's endpoints hear what happens in the club (a member joined,
a purchase, a refund, a voucher, a tier, a referral reward, an erasure).

They sit in clubsite because they listen to every app's signals, which arrive after the
transaction commits: a rolled-back purchase is never announced. Deliveries follow the
Standard Webhooks spec, signed by the `standardwebhooks` package.
"""
