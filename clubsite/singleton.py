"""Settings a club has exactly one of (the club, the points and referral programmes, the
dashboard's economics): one model row, pk 1, and an admin that goes straight to its form.

Each model keeps its own CHECK (pk = 1) in its Meta, so that the database refuses a second
row however it is written.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

SINGLETON_PK = 1


class SingletonModel(models.Model):
    # Related rows the settings' pages and services read with them (load() joins them).
    load_related: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def load(cls):
        """The one row, made with the defaults on first use."""
        row, _created = cls.objects.select_related(*cls.load_related).get_or_create(pk=SINGLETON_PK)
        return row


# Decimals as the owner writes them ("10,00", also "10.5"), in a text field: a number field
# shows "10.00" in a browser set to English, whatever the page's language.
LOCALIZED_DECIMALS = {models.DecimalField: {"localize": True}}


class SingletonAdmin(admin.ModelAdmin):
    """The list is the settings' form; nobody adds a second or deletes the one."""

    formfield_overrides = LOCALIZED_DECIMALS

    def changelist_view(self, request, extra_context=None):
        meta = self.model._meta
        return redirect(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.model.load().pk])
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
