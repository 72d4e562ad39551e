"""企业微信 application messages (decision 0150). Documented API:

* ``GET /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`` → ``{"errcode": 0, "access_token": …,
  "expires_in": 7200}``;
* ``POST /cgi-bin/message/send?access_token=…`` with ``{"touser": "UserID", "msgtype": "text" |
  "textcard", "agentid": …, "text": {"content": …} | "textcard": {"title", "description", "url",
  "btntxt"}, "enable_duplicate_check": 1, "duplicate_check_interval": …}`` → ``{"errcode": 0,
  "msgid": …, "invaliduser": "…"}``.

errcode 40014 (invalid access_token) and 42001 (expired) fetch a new token and send once more;
-1 (system busy), 45009 (API frequency limit) and 45033 (concurrency limit) are transient; any other
errcode is permanent. A recipient listed in ``invaliduser`` did not get it (not in the application's
visible range, or unknown): permanent. The duplicate check makes the platform drop a second copy of
the same request within the interval, beside our own idempotency key (decision 0152)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import DeliveryError, Outgoing, Sent, TransientDeliveryError, truncate_bytes
from .http import call_json
from .tokens import cache_key, get_token

if TYPE_CHECKING:
    from accounts.models import User

TOKEN_ERRORS = frozenset({40014, 42001})
TRANSIENT_ERRORS = frozenset({-1, 45009, 45033})
#: Seconds within which 企业微信 drops a repeated identical request (the platform allows up to 4 h).
DUPLICATE_CHECK_SECONDS = 3600
PLATFORM = "企业微信"


class WeComChannel:
    code = "wecom"
    label = "企业微信"

    def __init__(self, *, base_url: str, corpid: str, secret: str, agentid: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.corpid = corpid
        self.secret = secret
        self.agentid = int(agentid)
        self._token_key = cache_key("wecom", self.base_url, corpid, str(agentid))

    def address(self, user: User) -> str:
        return str(getattr(user, "wecom_userid", "") or "").strip()

    def _fetch_token(self) -> tuple[str, int]:
        data = call_json(
            "GET",
            f"{self.base_url}/cgi-bin/gettoken",
            params={"corpid": self.corpid, "corpsecret": self.secret},
            platform=PLATFORM,
        )
        _raise_for_errcode(data, "获取 access_token")
        token = data.get("access_token")
        if not token:
            raise DeliveryError("企业微信未返回 access_token")
        return str(token), int(data.get("expires_in") or 7200)

    def token(self, *, refresh: bool = False) -> str:
        return get_token(self._token_key, self._fetch_token, refresh=refresh)

    def payload(self, address: str, message: Outgoing) -> dict[str, Any]:
        body: dict[str, Any] = {
            "touser": address,
            "agentid": self.agentid,
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }
        if message.url:
            body["msgtype"] = "textcard"
            body["textcard"] = {
                "title": truncate_bytes(message.title, 128),
                "description": truncate_bytes(message.body or message.title, 512),
                "url": message.url,
                "btntxt": "详情",
            }
        else:
            body["msgtype"] = "text"
            body["text"] = {"content": truncate_bytes(message.text, 2048)}
        return body

    def send(self, address: str, message: Outgoing) -> Sent:
        payload = self.payload(address, message)
        data = self._post(payload, self.token())
        if data.get("errcode") in TOKEN_ERRORS:
            data = self._post(payload, self.token(refresh=True))
        _raise_for_errcode(data, "发送消息")
        invalid = {part.strip().lower() for part in str(data.get("invaliduser") or "").split("|") if part.strip()}
        if address.lower() in invalid:
            raise DeliveryError(f"企业微信账号 {address} 无效或不在应用的可见范围内")
        return Sent(provider_id=str(data.get("msgid") or ""))

    def _post(self, payload: dict[str, Any], token: str) -> dict[str, Any]:
        return call_json(
            "POST",
            f"{self.base_url}/cgi-bin/message/send",
            params={"access_token": token},
            json=payload,
            platform=PLATFORM,
        )


def _raise_for_errcode(data: dict[str, Any], what: str) -> None:
    errcode = data.get("errcode", 0)
    if errcode == 0:
        return
    text = f"企业微信{what}失败：errcode {errcode} {data.get('errmsg', '')}".strip()
    if errcode in TRANSIENT_ERRORS:
        raise TransientDeliveryError(text)
    if errcode in TOKEN_ERRORS:  # still refused after a fresh token: the platform's trouble, try later
        raise TransientDeliveryError(text)
    raise DeliveryError(text)
