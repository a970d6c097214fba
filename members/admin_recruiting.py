"""Recruiting material per shop, from the shop's admin page: an A4 poster and an A6 counter
sign with the join QR code and the welcome gift in words, a line for the receipt, and a
link for social media. Each leads to the join page with its channel (members.recruiting)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from members import qr
from members.models import Club, Location, Member
from members.recruiting import join_url
from members.registry import welcome_offer_lines

SIZES = ("a4", "a6")


class RecruitingMixin(admin.ModelAdmin):
    change_form_template = "admin/members/location/change_form.html"

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/verving/",
                self.admin_site.admin_view(self.recruit_view),
                name="members_location_recruit",
            ),
            path(
                "<int:object_id>/plakat/<str:size>/",
                self.admin_site.admin_view(self.poster_view),
                name="members_location_poster",
            ),
        ]
        return own + super().get_urls()

    def _shop(self, request, object_id) -> Location:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Location, pk=object_id)

    def recruit_view(self, request, object_id):
        shop = self._shop(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "shop": shop,
            "title": shop.name,
            "receipt_url": join_url(Member.Channel.RECEIPT, shop),
            "social_url": join_url(Member.Channel.SOCIAL, shop),
            "club": Club.load(),
            "offers": welcome_offer_lines(),
        }
        return TemplateResponse(request, "admin/members/location/recruit.html", context)

    def poster_view(self, request, object_id, size):
        if size not in SIZES:
            raise Http404
        shop = self._shop(request, object_id)
        url = join_url(Member.Channel.SHOP_QR, shop)
        context = {"shop": shop, "size": size, "url": url, "qr": qr.svg(url), "club": Club.load()}
        context["offers"] = welcome_offer_lines()
        return TemplateResponse(request, "admin/members/location/poster.html", context)
