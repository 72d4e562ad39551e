"""企业微信 application messages against a local stub that checks the documented requests
(developer.work.weixin.qq.com: 获取access_token, 发送应用消息)."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from zhucun.channels import DeliveryError, Outgoing, TransientDeliveryError
from zhucun.channels.wecom import DUPLICATE_CHECK_SECONDS, WeComChannel

from .stub import Reply, Request, stub_server


def wecom(url: str) -> WeComChannel:
    return WeComChannel(base_url=url, corpid="ww-corp", secret="s3cret", agentid="1000002")


class Platform:
    """The documented behaviour: gettoken hands out numbered tokens; message/send answers ``sends``
    in turn (the last one repeats), and refuses a token that is not the newest."""

    def __init__(self, *sends: dict[str, object]) -> None:
        self.tokens = 0
        self.sends = list(sends) or [{"errcode": 0, "errmsg": "ok", "msgid": "MSG1"}]

    def __call__(self, request: Request) -> Reply:
        if request.path == "/cgi-bin/gettoken":
            assert request.method == "GET"
            assert request.query == {"corpid": "ww-corp", "corpsecret": "s3cret"}
            self.tokens += 1
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": f"TOKEN{self.tokens}", "expires_in": 7200}
        assert (request.method, request.path) == ("POST", "/cgi-bin/message/send")
        assert set(request.query) == {"access_token"}
        answer = self.sends.pop(0) if len(self.sends) > 1 else self.sends[0]
        return 200, answer


def test_a_text_message_is_sent_with_a_token_fetched_once_as_documented() -> None:
    platform = Platform()
    with stub_server(platform) as stub:
        channel = wecom(stub.url)
        sent = channel.send("ZhangSan", Outgoing(key="n1:wecom", title="张三申请事假2天，请在半日内答复"))
        channel.send("LiSi", Outgoing(key="n2:wecom", title="第二条"))
    assert sent.provider_id == "MSG1"
    assert stub.paths() == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]
    first = stub.requests[1]
    assert first.query == {"access_token": "TOKEN1"}
    assert first.headers["content-type"] == "application/json"
    assert first.json() == {
        "touser": "ZhangSan",
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "张三申请事假2天，请在半日内答复"},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
    }
    assert stub.requests[2].query == {"access_token": "TOKEN1"}  # the cached token


def test_a_message_with_a_link_is_a_text_card() -> None:
    with stub_server(Platform()) as stub:
        wecom(stub.url).send(
            "ZhangSan",
            Outgoing(key="n1:wecom", title="请审批", body="张三 事假 2 天", url="https://zc.example.cn/leave/1/"),
        )
    body = stub.requests[1].json()
    assert body["msgtype"] == "textcard"
    assert body["textcard"] == {
        "title": "请审批",
        "description": "张三 事假 2 天",
        "url": "https://zc.example.cn/leave/1/",
        "btntxt": "详情",
    }
    assert "text" not in body


@pytest.mark.parametrize("errcode", [40014, 42001])
def test_an_invalid_or_expired_token_is_fetched_again_and_the_message_sent_once_more(errcode: int) -> None:
    platform = Platform({"errcode": errcode, "errmsg": "access_token expired"}, {"errcode": 0, "msgid": "M2"})
    with stub_server(platform) as stub:
        sent = wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))
    assert sent.provider_id == "M2"
    assert stub.paths() == ["/cgi-bin/gettoken", "/cgi-bin/message/send"] * 2
    assert [r.query.get("access_token") for r in stub.requests if r.path.endswith("send")] == ["TOKEN1", "TOKEN2"]


def test_a_token_refused_twice_is_retried_later_not_fetched_in_a_loop() -> None:
    with (
        stub_server(Platform({"errcode": 42001, "errmsg": "expired"})) as stub,
        pytest.raises(TransientDeliveryError, match="42001"),
    ):
        wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))
    assert len(stub.requests) == 4


@pytest.mark.parametrize(("errcode", "transient"), [(-1, True), (45009, True), (45033, True), (81013, False)])
def test_busy_and_rate_limit_errcodes_are_transient_others_permanent(errcode: int, transient: bool) -> None:
    with stub_server(Platform({"errcode": errcode, "errmsg": "x"})) as stub, pytest.raises(DeliveryError) as raised:
        wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))
    assert isinstance(raised.value, TransientDeliveryError) is transient
    assert str(errcode) in str(raised.value)


def test_a_recipient_listed_as_invalid_did_not_get_it() -> None:
    with (
        stub_server(Platform({"errcode": 0, "invaliduser": "zhangsan", "msgid": "M"})) as stub,
        pytest.raises(DeliveryError, match="不在应用的可见范围") as raised,
    ):
        wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))
    assert not isinstance(raised.value, TransientDeliveryError)


def test_a_server_error_is_transient() -> None:
    with (
        stub_server(lambda request: (502, b"<html>Bad Gateway</html>")) as stub,
        pytest.raises(TransientDeliveryError, match="HTTP 502"),
    ):
        wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))


@override_settings(ZHUCUN_CHANNEL_TIMEOUT=0.3)
def test_a_platform_that_does_not_answer_in_time_is_transient() -> None:
    def slow(request: Request) -> Reply:
        time.sleep(1)
        return 200, {}

    with stub_server(slow) as stub:
        started = time.monotonic()
        with pytest.raises(TransientDeliveryError, match="超时"):
            wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))
    assert time.monotonic() - started < 1


def test_a_wrong_secret_is_permanent() -> None:
    with (
        stub_server(lambda request: (200, {"errcode": 40001, "errmsg": "invalid credential"})) as stub,
        pytest.raises(DeliveryError, match="40001") as raised,
    ):
        wecom(stub.url).send("ZhangSan", Outgoing(key="k", title="t"))
    assert not isinstance(raised.value, TransientDeliveryError)
