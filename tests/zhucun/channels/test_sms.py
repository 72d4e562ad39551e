"""SMS through Aliyun's gateway: the documented HMAC-SHA1 signature (签名机制, SignatureVersion 1.0),
checked against Aliyun's published examples, and SendSms against a local stub that recomputes it."""

from __future__ import annotations

import pytest

from zhucun.channels import DeliveryError, Outgoing, TransientDeliveryError
from zhucun.channels.sms import AliyunSmsChannel, canonicalized_query, percent_encode, signature, string_to_sign

from .stub import Reply, Request, stub_server

#: Aliyun's SMS signature example (短信服务 API 签名机制): the parameters of a GET SendSms, the
#: AccessKeySecret "testSecret", and the string-to-sign and signature the documentation gives.
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001"
    "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD"
    "%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007"
    "%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z"
    "%26Version%3D2017-05-25"
)


def test_the_signature_matches_aliyuns_sms_example() -> None:
    assert string_to_sign(DOC_PARAMS, "GET") == DOC_STRING_TO_SIGN
    assert signature(DOC_PARAMS, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_the_signature_matches_aliyuns_rpc_example() -> None:
    """The RPC signature example of Aliyun's API documentation (ECS DescribeRegions, secret testsecret)."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert signature(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_follows_rfc_3986_as_aliyun_requires() -> None:
    assert percent_encode("a b*c~d") == "a%20b%2Ac~d"
    assert percent_encode("/=&+") == "%2F%3D%26%2B"
    assert percent_encode("驻") == "%E9%A9%BB"
    assert canonicalized_query({"b": "2", "a": "1", "Signature": "x"}) == "a=1&b=2"


def sms(url: str) -> AliyunSmsChannel:
    return AliyunSmsChannel(
        base_url=url,
        access_key_id="LTAI-test",
        access_key_secret="s3cret",
        sign_name="驻村干部管理",
        template_code="SMS_000001",
    )


def gateway(answer: dict[str, str]) -> object:
    """Aliyun's side: a POST form whose signature is recomputed with the secret, as the gateway does."""

    def handle(request: Request) -> Reply:
        assert (request.method, request.path) == ("POST", "/")
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        form = request.form()
        if form.get("Signature") != signature(form, "s3cret", "POST"):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        return 200, answer

    return handle


def test_send_sms_posts_the_documented_signed_parameters() -> None:
    ok = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}
    with stub_server(gateway(ok)) as stub:  # type: ignore[arg-type]
        sent = sms(stub.url).send("13800138000", Outgoing(key="n42:sms", title="张三申请事假2天，请在半日内答复"))
    assert sent.provider_id == "900619746936498440^0"
    form = stub.requests[0].form()
    assert {key: form[key] for key in form if key not in ("SignatureNonce", "Timestamp", "Signature")} == {
        "AccessKeyId": "LTAI-test",
        "Action": "SendSms",
        "Format": "JSON",
        "OutId": "n42:sms",
        "PhoneNumbers": "13800138000",
        "RegionId": "cn-hangzhou",
        "SignName": "驻村干部管理",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_000001",
        "TemplateParam": '{"title":"张三申请事假2天，请在半日内答复"}',
        "Version": "2017-05-25",
    }
    assert len(form["SignatureNonce"]) >= 16
    assert form["Timestamp"].endswith("Z") and "T" in form["Timestamp"]
    assert "13800138000" not in stub.requests[0].path  # the number is in the form, not in the URL


def test_a_long_title_is_cut_to_the_templates_variable_limit() -> None:
    params = sms("http://x").params("13800138000", Outgoing(key="k", title="很" * 50))
    assert params["TemplateParam"] == '{"title":"' + "很" * 34 + '…"}'


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", True),
        ("isp.SYSTEM_ERROR", True),
        ("Throttling.User", True),
        ("isv.MOBILE_NUMBER_ILLEGAL", False),
        ("isv.TEMPLATE_MISSING_PARAMETERS", False),
    ],
)
def test_flow_control_and_gateway_errors_are_transient_others_permanent(code: str, transient: bool) -> None:
    with stub_server(gateway({"Code": code, "Message": "x"})) as stub, pytest.raises(DeliveryError) as raised:  # type: ignore[arg-type]
        sms(stub.url).send("13800138000", Outgoing(key="k", title="t"))
    assert isinstance(raised.value, TransientDeliveryError) is transient
    assert code in str(raised.value)


def test_a_wrong_secret_is_refused_by_the_gateway_and_permanent() -> None:
    with stub_server(gateway({"Code": "OK"})) as stub:  # type: ignore[arg-type]
        channel = sms(stub.url)
        channel.access_key_secret = "wrong"
        with pytest.raises(DeliveryError, match="HTTP 400") as raised:
            channel.send("13800138000", Outgoing(key="k", title="t"))
    assert not isinstance(raised.value, TransientDeliveryError)


def test_the_address_is_the_accounts_mobile_or_a_cadres_roster_phone(world: object) -> None:
    from zhucun.testing.world import World

    assert isinstance(world, World)
    channel = sms("http://x")
    county = world.personas["county"]
    assert channel.address(county) == ""
    county.mobile = "13900001111"
    assert channel.address(county) == "13900001111"
    county.mobile = "12345"
    assert channel.address(county) == ""  # not a mainland mobile number: no SMS
    cadre = world.personas["cadre"]
    assert cadre.cadre is not None and channel.address(cadre) == cadre.cadre.phone
