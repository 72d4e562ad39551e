"""The delivery channels (issue 15, decision 0150): one small adapter per platform on one HTTP client
(``http.py``), chosen per deployment in the environment (``ZHUCUN_CHANNELS``). ``enabled()`` builds
the adapters the settings name; ``FACTORIES`` maps each code to its builder, so a test (or a new
platform) adds one entry."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from .base import ChannelAdapter, DeliveryError, Outgoing, Sent, TransientDeliveryError


def _wecom() -> ChannelAdapter:
    from .wecom import WeComChannel

    return WeComChannel(
        base_url=settings.ZHUCUN_WECOM_BASE_URL,
        corpid=settings.ZHUCUN_WECOM_CORPID,
        secret=settings.ZHUCUN_WECOM_SECRET,
        agentid=settings.ZHUCUN_WECOM_AGENTID,
    )


#: channel code → builder of its adapter from the settings
FACTORIES: dict[str, Callable[[], ChannelAdapter]] = {"wecom": _wecom}

#: channel code → the settings it cannot work without (``manage.py check``)
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "wecom": ("ZHUCUN_WECOM_CORPID", "ZHUCUN_WECOM_SECRET", "ZHUCUN_WECOM_AGENTID"),
}


def enabled_codes() -> list[str]:
    return [code for code in dict.fromkeys(settings.ZHUCUN_CHANNELS) if code in FACTORIES]


def enabled() -> list[ChannelAdapter]:
    """The adapters of the channels this deployment enabled, in the order the setting names them."""
    return [FACTORIES[code]() for code in enabled_codes()]


def get(code: str) -> ChannelAdapter | None:
    return FACTORIES[code]() if code in enabled_codes() else None


__all__ = ["ChannelAdapter", "DeliveryError", "Outgoing", "Sent", "TransientDeliveryError", "enabled", "get"]
