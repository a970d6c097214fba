from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from rewards.api import views

app_name = "api"

urlpatterns = [
    path("members/identify/", views.Identify.as_view(), name="identify"),
    path("members/<str:number>/wallet/", views.MemberWallet.as_view(), name="wallet"),
    path("purchases/", views.Purchases.as_view(), name="purchases"),
    path("purchases/preview/", views.Preview.as_view(), name="preview"),
    path("refunds/", views.Refunds.as_view(), name="refunds"),
    path("vouchers/<str:code>/", views.VoucherCheck.as_view(), name="voucher"),
    path("vouchers/<str:code>/redeem/", views.VoucherRedeem.as_view(), name="voucher_redeem"),
    path("rewards/<int:reward_id>/redeem/", views.RewardRedeem.as_view(), name="reward_redeem"),
    # The schema and its docs page are public (they describe, they hold no data).
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[], throttle_classes=[]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            template_name="api/docs.html",
            authentication_classes=[],
            permission_classes=[],
            throttle_classes=[],
        ),
        name="docs",
    ),
]
