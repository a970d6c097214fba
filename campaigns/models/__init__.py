from campaigns.models.economics import ClubEconomics, TierChange
from campaigns.models.segments import CampaignSettings, Segment, SegmentCondition

__all__ = ["CampaignSettings", "ClubEconomics", "Segment", "SegmentCondition", "TierChange"]
