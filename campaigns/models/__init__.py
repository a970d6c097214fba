from campaigns.models.economics import ClubEconomics, TierChange
from campaigns.models.flows import Flow
from campaigns.models.goals import Goal
from campaigns.models.messages import Campaign, CampaignContent, Message
from campaigns.models.nps import NpsAnswer
from campaigns.models.planning import LocalEvent
from campaigns.models.rollups import ActiveDay, LedgerDay, RollupState, VoucherDay
from campaigns.models.segments import CampaignSettings, Segment, SegmentCondition
from campaigns.models.variants import Variant

__all__ = [
    "ActiveDay",
    "Campaign",
    "CampaignContent",
    "CampaignSettings",
    "ClubEconomics",
    "Flow",
    "Goal",
    "LedgerDay",
    "LocalEvent",
    "Message",
    "NpsAnswer",
    "RollupState",
    "Segment",
    "SegmentCondition",
    "TierChange",
    "Variant",
    "VoucherDay",
]
