"""钉钉 work notifications against a local stub that checks the documented requests (open.dingtalk.com:
获取企业内部应用的access_token, 发送工作通知 asyncsend_v2)."""

from __future__ import annotations

import pytest

from zhucun.channels import DeliveryError, Outgoing, TransientDeliveryError
from zhucun.channels.dingtalk import DingTalkChannel

from .stub import Reply, Request, stub_server


def dingtalk(url: str) -> DingTalkChannel:
    return DingTalkChannel(base_url=url, appkey="ding-key", appsecret="ding-secret", agentid="2001")


class Platform:
    def __init__(self, *sends: dict[str, object]) -> None:
        self.tokens = 0
        self.sends = list(sends) or [{"errcode": 0, "errmsg": "ok", "task_id": 256271667526, "request_id": "r1"}]

    def __call__(self, request: Request) -> Reply:
        if request.path == "/gettoken":
            assert request.method == "GET"
            assert request.query == {"appkey": "ding-key", "appsecret": "ding-secret"}
            self.tokens += 1
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": f"DT{self.tokens}", "expires_in": 7200}
        assert (request.method, request.path) == ("POST", "/topapi/message/corpconversation/asyncsend_v2")
        assert set(request.query) == {"access_token"}
        return 200, self.sends.pop(0) if len(self.sends) > 1 else self.sends[0]


def test_a_work_notification_is_sent_as_documented_and_its_task_id_recorded() -> None:
    with stub_server(Platform()) as stub:
        channel = dingtalk(stub.url)
        sent = channel.send("manager4220", Outgoing(key="n1:dingtalk", title="张三申请事假2天，请在半日内答复"))
        channel.send("manager4221", Outgoing(key="n2:dingtalk", title="第二条"))
    assert sent.provider_id == "256271667526"
    assert stub.paths() == ["/gettoken", *["/topapi/message/corpconversation/asyncsend_v2"] * 2]
    request = stub.requests[1]
    assert request.query == {"access_token": "DT1"}
    assert request.json() == {
        "agent_id": 2001,
        "userid_list": "manager4220",
        "msg": {"msgtype": "text", "text": {"content": "张三申请事假2天，请在半日内答复"}},
    }
    assert stub.requests[2].query == {"access_token": "DT1"}  # the token is cached


def test_a_message_with_a_link_is_an_oa_message() -> None:
    with stub_server(Platform()) as stub:
        dingtalk(stub.url).send(
            "manager4220", Outgoing(key="k", title="请审批", body="张三 事假 2 天", url="https://zc.example.cn/l/1/")
        )
    msg = stub.requests[1].json()["msg"]
    assert msg["msgtype"] == "oa"
    assert msg["oa"]["message_url"] == "https://zc.example.cn/l/1/"
    assert msg["oa"]["body"] == {"title": "请审批", "content": "张三 事假 2 天"}
    assert set(msg["oa"]["head"]) == {"bgcolor", "text"}


@pytest.mark.parametrize("errcode", [40014, 42001])
def test_an_invalid_or_expired_token_is_fetched_again_once(errcode: int) -> None:
    platform = Platform({"errcode": errcode, "errmsg": "不合法的access_token"}, {"errcode": 0, "task_id": 7})
    with stub_server(platform) as stub:
        assert dingtalk(stub.url).send("u1", Outgoing(key="k", title="t")).provider_id == "7"
    assert [r.query.get("access_token") for r in stub.requests if r.path != "/gettoken"] == ["DT1", "DT2"]


@pytest.mark.parametrize(("errcode", "transient"), [(-1, True), (143103, True), (143104, True), (33012, False)])
def test_busy_and_rate_limits_are_transient_others_permanent(errcode: int, transient: bool) -> None:
    with stub_server(Platform({"errcode": errcode, "errmsg": "x"})) as stub, pytest.raises(DeliveryError) as raised:
        dingtalk(stub.url).send("u1", Outgoing(key="k", title="t"))
    assert isinstance(raised.value, TransientDeliveryError) is transient


def test_a_server_error_is_transient() -> None:
    with stub_server(lambda r: (500, b"oops")) as stub, pytest.raises(TransientDeliveryError, match="HTTP 500"):
        dingtalk(stub.url).send("u1", Outgoing(key="k", title="t"))
