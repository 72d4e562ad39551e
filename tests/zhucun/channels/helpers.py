from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import override_settings

from .stub import Reply, Request, Stub, stub_server


class WeComPlatform:
    """A 企业微信 that hands out a token and accepts messages, answering ``sends`` in turn (the last
    one repeats)."""

    def __init__(self, *sends: Reply) -> None:
        self.sends: list[Reply] = list(sends) or [(200, {"errcode": 0, "errmsg": "ok", "msgid": "MSG"})]

    def __call__(self, request: Request) -> Reply:
        if request.path == "/cgi-bin/gettoken":
            return 200, {"errcode": 0, "access_token": "TOKEN", "expires_in": 7200}
        return self.sends.pop(0) if len(self.sends) > 1 else self.sends[0]

    @staticmethod
    def messages(stub: Stub) -> list[dict[str, Any]]:
        return [request.json() for request in stub.requests if request.path == "/cgi-bin/message/send"]


@contextmanager
def wecom_enabled(platform: Any = None, **settings: Any) -> Iterator[Stub]:
    with (
        stub_server(platform or WeComPlatform()) as stub,
        override_settings(
            ZHUCUN_CHANNELS=["wecom"],
            ZHUCUN_WECOM_BASE_URL=stub.url,
            ZHUCUN_WECOM_CORPID="ww-corp",
            ZHUCUN_WECOM_SECRET="s3cret",
            ZHUCUN_WECOM_AGENTID="1000002",
            **settings,
        ),
    ):
        yield stub
