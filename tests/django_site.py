"""One Django settings object for every test module that serves Django: the settings that
cannot change after ``django.setup()`` are configured here once; each module lays its own
URLs, middleware and ``SIGNALWIRE_*`` settings over them with ``override_settings``."""

from __future__ import annotations

import django
from django.conf import settings

urlpatterns: list[object] = []


def configure() -> None:
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="test-only-not-a-signing-key",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
            APPEND_SLASH=False,
        )
        django.setup()
