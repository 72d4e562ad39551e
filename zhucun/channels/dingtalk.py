"""钉钉 work notifications (工作通知, decision 0150). Documented API:

* ``GET /gettoken?appkey=KEY&appsecret=SECRET`` → ``{"errcode": 0, "access_token": …,
  "expires_in": 7200}``;
* ``POST /topapi/message/corpconversation/asyncsend_v2?access_token=…`` with ``{"agent_id": …,
  "userid_list": "user1,user2", "msg": {"msgtype": "text", "text": {"content": …}} | {"msgtype":
  "oa", "oa": {"message_url", "head": {"bgcolor", "text"}, "body": {"title", "content"}}}}`` →
  ``{"errcode": 0, "task_id": …, "request_id": …}``.

The send is asynchronous on 钉钉's side: ``task_id`` is recorded as the platform's id (getsendresult
tells per user). errcode 40014 / 42001 (invalid or expired token) fetch a new token and send once
more; -1 (system busy), 143103 and 143104 (per-minute sending limits) are transient; others are
permanent. 钉钉 itself drops the same content sent to the same person twice in a day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import DeliveryError, Outgoing, Sent, TransientDeliveryError, truncate_bytes
from .http import call_json
from .tokens import cache_key, get_token

if TYPE_CHECKING:
    from accounts.models import User

TOKEN_ERRORS = frozenset({40014, 42001})
TRANSIENT_ERRORS = frozenset({-1, 143103, 143104})
PLATFORM = "钉钉"
SEND_PATH = "/topapi/message/corpconversation/asyncsend_v2"


class DingTalkChannel:
    code = "dingtalk"
    label = "钉钉"

    def __init__(self, *, base_url: str, appkey: str, appsecret: str, agentid: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.appkey = appkey
        self.appsecret = appsecret
        self.agent_id = int(agentid)
        self._token_key = cache_key("dingtalk", self.base_url, appkey, str(agentid))

    def address(self, user: User) -> str:
        return str(getattr(user, "dingtalk_userid", "") or "").strip()

    def _fetch_token(self) -> tuple[str, int]:
        data = call_json(
            "GET",
            f"{self.base_url}/gettoken",
            params={"appkey": self.appkey, "appsecret": self.appsecret},
            platform=PLATFORM,
        )
        _raise_for_errcode(data, "获取 access_token")
        token = data.get("access_token")
        if not token:
            raise DeliveryError("钉钉未返回 access_token")
        return str(token), int(data.get("expires_in") or 7200)

    def token(self, *, refresh: bool = False) -> str:
        return get_token(self._token_key, self._fetch_token, refresh=refresh)

    def payload(self, address: str, message: Outgoing) -> dict[str, Any]:
        msg: dict[str, Any]
        if message.url:
            msg = {
                "msgtype": "oa",
                "oa": {
                    "message_url": message.url,
                    "pc_message_url": message.url,
                    "head": {"bgcolor": "FFC0392B" if message.urgent else "FF1F6FB2", "text": "驻村干部管理"},
                    "body": {"title": message.title, "content": truncate_bytes(message.body, 2048)},
                },
            }
        else:
            msg = {"msgtype": "text", "text": {"content": truncate_bytes(message.text, 2048)}}
        return {"agent_id": self.agent_id, "userid_list": address, "msg": msg}

    def send(self, address: str, message: Outgoing) -> Sent:
        payload = self.payload(address, message)
        data = self._post(payload, self.token())
        if data.get("errcode") in TOKEN_ERRORS:
            data = self._post(payload, self.token(refresh=True))
        _raise_for_errcode(data, "发送工作通知")
        return Sent(provider_id=str(data.get("task_id") or ""))

    def _post(self, payload: dict[str, Any], token: str) -> dict[str, Any]:
        return call_json(
            "POST", f"{self.base_url}{SEND_PATH}", params={"access_token": token}, json=payload, platform=PLATFORM
        )


def _raise_for_errcode(data: dict[str, Any], what: str) -> None:
    errcode = data.get("errcode", 0)
    if errcode == 0:
        return
    text = f"钉钉{what}失败：errcode {errcode} {data.get('errmsg', '')}".strip()
    if errcode in TRANSIENT_ERRORS or errcode in TOKEN_ERRORS:
        raise TransientDeliveryError(text)
    raise DeliveryError(text)
