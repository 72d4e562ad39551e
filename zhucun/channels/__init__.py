"""The delivery channels (issue 15, decision 0150): one small adapter per platform on one HTTP client
(``http.py``), chosen per deployment in the environment (``ZHUCUN_CHANNELS``). ``enabled()`` builds
the adapters the settings name; ``FACTORIES`` maps each code to its builder, so a test (or a new
platform) adds one entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings

from .base import ChannelAdapter, DeliveryError, Outgoing, Sent, TransientDeliveryError

if TYPE_CHECKING:
    from .sms import AliyunSmsChannel


def _wecom() -> ChannelAdapter:
    from .wecom import WeComChannel

    return WeComChannel(
        base_url=settings.ZHUCUN_WECOM_BASE_URL,
        corpid=settings.ZHUCUN_WECOM_CORPID,
        secret=settings.ZHUCUN_WECOM_SECRET,
        agentid=settings.ZHUCUN_WECOM_AGENTID,
    )


def _dingtalk() -> ChannelAdapter:
    from .dingtalk import DingTalkChannel

    return DingTalkChannel(
        base_url=settings.ZHUCUN_DINGTALK_BASE_URL,
        appkey=settings.ZHUCUN_DINGTALK_APPKEY,
        appsecret=settings.ZHUCUN_DINGTALK_APPSECRET,
        agentid=settings.ZHUCUN_DINGTALK_AGENTID,
    )


def _sms() -> ChannelAdapter:
    from .sms import AliyunSmsChannel

    return AliyunSmsChannel(
        base_url=settings.ZHUCUN_SMS_BASE_URL,
        access_key_id=settings.ZHUCUN_SMS_ACCESS_KEY_ID,
        access_key_secret=settings.ZHUCUN_SMS_ACCESS_KEY_SECRET,
        sign_name=settings.ZHUCUN_SMS_SIGN_NAME,
        template_code=settings.ZHUCUN_SMS_TEMPLATE_CODE,
        region_id=settings.ZHUCUN_SMS_REGION_ID,
        code_template_code=settings.ZHUCUN_SMS_CODE_TEMPLATE_CODE,
    )


def _email() -> ChannelAdapter:
    from .email import EmailChannel

    return EmailChannel()


#: channel code → builder of its adapter from the settings
FACTORIES: dict[str, Callable[[], ChannelAdapter]] = {
    "wecom": _wecom,
    "dingtalk": _dingtalk,
    "sms": _sms,
    "email": _email,
}

#: channel code → the settings it cannot work without (``manage.py check``)
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "wecom": ("ZHUCUN_WECOM_CORPID", "ZHUCUN_WECOM_SECRET", "ZHUCUN_WECOM_AGENTID"),
    "dingtalk": ("ZHUCUN_DINGTALK_APPKEY", "ZHUCUN_DINGTALK_APPSECRET", "ZHUCUN_DINGTALK_AGENTID"),
    "sms": (
        "ZHUCUN_SMS_ACCESS_KEY_ID",
        "ZHUCUN_SMS_ACCESS_KEY_SECRET",
        "ZHUCUN_SMS_SIGN_NAME",
        "ZHUCUN_SMS_TEMPLATE_CODE",
    ),
    "email": ("EMAIL_HOST", "DEFAULT_FROM_EMAIL"),
}


def enabled_codes() -> list[str]:
    return [code for code in dict.fromkeys(settings.ZHUCUN_CHANNELS) if code in FACTORIES]


def enabled() -> list[ChannelAdapter]:
    """The adapters of the channels this deployment enabled, in the order the setting names them."""
    return [FACTORIES[code]() for code in enabled_codes()]


def get(code: str) -> ChannelAdapter | None:
    return FACTORIES[code]() if code in enabled_codes() else None


def sms_adapter() -> AliyunSmsChannel | None:
    """The SMS adapter when this deployment enabled SMS (the 找回密码 codes, decision 0173)."""
    from .sms import AliyunSmsChannel

    adapter = get("sms")
    return adapter if isinstance(adapter, AliyunSmsChannel) else None


__all__ = ["ChannelAdapter", "DeliveryError", "Outgoing", "Sent", "TransientDeliveryError", "enabled", "get"]
