"""SMS through Aliyun's gateway (短信服务 dysmsapi, ``SendSms``, decision 0150): an RPC-style call whose
parameters are signed with HMAC-SHA1 as Aliyun documents (签名机制, SignatureVersion 1.0):

1. every parameter but ``Signature``, sorted by name, each name and value percent-encoded (RFC 3986:
   ``A-Z a-z 0-9 - _ . ~`` as they are, a space as ``%20``, never ``+``), joined as ``k=v&k=v``;
2. ``StringToSign = METHOD & percentEncode("/") & percentEncode(canonicalized query)``;
3. ``Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``.

The request is a POST with the signed parameters as a form (the phone number stays out of URLs and
logs). ``Code == "OK"`` is sent, with ``BizId`` as the platform's id. Flow control
(``isv.BUSINESS_LIMIT_CONTROL``), throttling and Aliyun's own errors (``isp.*``) are transient; other
codes (a wrong number, template or key) are permanent. The template is the deployment's
(``ZHUCUN_SMS_TEMPLATE_CODE``) with one variable, ``${title}``; ``OutId`` carries the delivery's
idempotency key."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .base import DeliveryError, Outgoing, Sent, TransientDeliveryError
from .http import call_json

if TYPE_CHECKING:
    from accounts.models import User

PLATFORM = "短信网关"
#: Aliyun's limit on one template variable of a notification template, in characters.
TITLE_CHARS = 35
#: flow control (per-number limits), Aliyun's own trouble
TRANSIENT_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "ServiceUnavailable", "InternalError"})
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as Aliyun's signature requires (``quote`` with only ``~`` safe)."""
    return urllib.parse.quote(str(value), safe="~")


def canonicalized_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(key)}={percent_encode(value)}" for key, value in sorted(params.items()) if key != "Signature"
    )


def string_to_sign(params: Mapping[str, str], method: str = "POST") -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(params, method).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_mobile(value: str) -> bool:
    return bool(MOBILE.match(value or ""))


class AliyunSmsChannel:
    code = "sms"
    label = "短信"

    def __init__(
        self,
        *,
        base_url: str,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        region_id: str = "cn-hangzhou",
        code_template_code: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.region_id = region_id
        # 验证码 template (variable ${code}); without one the notification template carries the code.
        self.code_template_code = code_template_code

    def address(self, user: User) -> str:
        mobile = str(getattr(user, "mobile", "") or "").strip()
        if not mobile and getattr(user, "cadre_id", None) and user.cadre is not None:
            mobile = str(user.cadre.phone or "").strip()  # a cadre's phone on the roster
        return mobile if is_mobile(mobile) else ""

    def params(
        self,
        address: str,
        message: Outgoing,
        *,
        nonce: str | None = None,
        now: dt.datetime | None = None,
        template: tuple[str, dict[str, str]] | None = None,
    ) -> dict[str, str]:
        title = message.title if len(message.title) <= TITLE_CHARS else message.title[: TITLE_CHARS - 1] + "…"
        template_code, variables = template or (self.template_code, {"title": title})
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": message.key[:64],
            "PhoneNumbers": address,
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(variables, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = signature(params, self.access_key_secret, "POST")
        return params

    def send(self, address: str, message: Outgoing) -> Sent:
        return self._call(self.params(address, message))

    def send_code(self, address: str, code: str, *, key: str, minutes: int) -> Sent:
        """A verification code (找回密码, decision 0173): through the deployment's 验证码 template
        (``${code}``) when it has one, else as the notification template's ``${title}``."""
        message = Outgoing(key=key, title=f"验证码{code}，{minutes}分钟内有效，请勿告诉他人")
        template = (self.code_template_code, {"code": code}) if self.code_template_code else None
        return self._call(self.params(address, message, template=template))

    def _call(self, params: dict[str, str]) -> Sent:
        data = call_json("POST", f"{self.base_url}/", data=params, platform=PLATFORM)
        code = str(data.get("Code") or "")
        if code == "OK":
            return Sent(provider_id=str(data.get("BizId") or ""))
        text = f"短信发送失败：{code} {data.get('Message', '')}".strip()
        if code in TRANSIENT_CODES or code.startswith(("isp.", "Throttling")):
            raise TransientDeliveryError(text)
        raise DeliveryError(text)
