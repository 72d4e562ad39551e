"""Sign-in (第十九条1, API.md "Sign-in"): one tap, idempotent, one per day by the database, geofence,
photos without EXIF, offline sync the same day, and clear Chinese refusals that write nothing."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import token_issue
from attendance.models import SignIn
from cadres.models import Cadre
from tests.attendance.conftest import INSIDE, OUTSIDE, at, jpeg_with_gps
from tests.conftest import api_as
from zhucun.testing.world import World

URL = "/api/v1/signins/"


def _cadre_client(world: World) -> APIClient:
    return api_as(world.personas["cadre"])


def test_a_signin_inside_the_geofence_in_the_window_is_ok(world: World, clock: Any) -> None:
    response = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["date"] == "2026-11-26"
    assert body["inside_geofence"] is True
    assert 100 <= body["distance_m"] <= 120
    assert "latitude" not in body and "longitude" not in body  # raw coordinates are never returned


def test_a_signin_outside_the_geofence_is_recorded_as_such(world: World, clock: Any) -> None:
    body = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **OUTSIDE}, format="json").json()
    assert body["status"] == "outside_geofence"
    assert body["distance_m"] > 5000


def test_a_signin_after_the_window_is_late(world: World, clock: Any) -> None:
    clock.set(at(10, 15))
    body = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json").json()
    assert body["status"] == "late"


def test_the_same_client_id_again_returns_the_same_record(world: World, clock: Any) -> None:
    client = _cadre_client(world)
    payload = {"client_id": str(uuid.uuid4()), **INSIDE}
    first = client.post(URL, payload, format="json")
    again = client.post(URL, payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert SignIn.objects.count() == 1


def test_a_second_signin_the_same_day_returns_the_days_first_record(world: World, clock: Any) -> None:
    client = _cadre_client(world)
    first = client.post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    clock.set(at(9, 0))
    second = client.post(URL, {"client_id": str(uuid.uuid4()), **OUTSIDE}, format="json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["status"] == "ok"
    assert SignIn.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"latitude": 91, "longitude": 114.5}, "latitude", "纬度应在 -90 到 90 之间"),
        ({"latitude": 38, "longitude": -181}, "longitude", "经度应在 -180 到 180 之间"),
        ({"latitude": "abc", "longitude": 114.5}, "latitude", "纬度应为数字"),
    ],
)
def test_coordinates_out_of_range_are_refused_in_chinese(
    world: World, clock: Any, payload: dict[str, Any], field: str, message: str
) -> None:
    response = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **payload}, format="json")
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert SignIn.objects.count() == 0


def test_a_signin_before_the_window_is_refused_and_writes_nothing(world: World, clock: Any) -> None:
    clock.set(at(5, 30))
    response = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code == 400
    assert "还不能签到" in str(response.json())
    assert SignIn.objects.count() == 0


def test_a_signin_for_another_cadre_is_refused(world: World, clock: Any) -> None:
    payload = {"client_id": str(uuid.uuid4()), "cadre": world.members["A"].pk, **INSIDE}
    response = _cadre_client(world).post(URL, payload, format="json")
    assert response.status_code == 403
    assert "本人" in response.json()["detail"]
    assert SignIn.objects.count() == 0


def test_a_recalled_cadre_cannot_sign_in(world: World, clock: Any) -> None:
    Cadre.objects.filter(pk=world.leaders["A"].pk).update(status=Cadre.Status.RECALLED)
    response = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code == 403
    assert "已召回" in response.json()["detail"]
    assert SignIn.objects.count() == 0


def test_only_cadres_sign_in(world: World, clock: Any) -> None:
    response = api_as(world.personas["township"]).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code == 403
    assert SignIn.objects.count() == 0


def test_a_photo_is_kept_without_its_exif_and_gps(world: World, clock: Any) -> None:
    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "p.jpg"
    response = _cadre_client(world).post(
        URL, {"client_id": str(uuid.uuid4()), **INSIDE, "photo": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    stored = SignIn.objects.get()
    assert stored.photo.name is not None
    with default_storage.open(stored.photo.name) as handle, Image.open(handle) as image:
        assert dict(image.getexif()) == {}


def test_a_photo_that_is_not_an_image_is_refused(world: World, clock: Any) -> None:
    upload = io.BytesIO(b"%PDF-1.4 not an image")
    upload.name = "p.jpg"
    response = _cadre_client(world).post(
        URL, {"client_id": str(uuid.uuid4()), **INSIDE, "photo": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "无法识别这张照片" in response.json()["photo"][0]
    assert SignIn.objects.count() == 0


def test_a_decompression_bomb_is_refused(world: World, clock: Any) -> None:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 400 megapixels, a few KB on disk
    buffer.seek(0)
    buffer.name = "bomb.png"
    response = _cadre_client(world).post(
        URL, {"client_id": str(uuid.uuid4()), **INSIDE, "photo": buffer}, format="multipart"
    )
    assert response.status_code == 400
    assert SignIn.objects.count() == 0


def test_an_offline_signin_synced_the_same_day_keeps_both_times(world: World, clock: Any) -> None:
    clock.set(at(12, 0))
    captured = at(8, 5).isoformat()
    response = _cadre_client(world).post(
        URL, {"client_id": str(uuid.uuid4()), **INSIDE, "device_time": captured}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ok"  # judged at the time it was captured
    assert body["offline"] is True
    signin = SignIn.objects.get()
    assert signin.device_time == at(8, 5)
    assert signin.server_time == at(12, 0)


def test_an_offline_signin_captured_before_8_beijing_time_counts_for_the_beijing_day(world: World, clock: Any) -> None:
    """The phone sends UTC (toISOString): 07:30 in Beijing is 23:30 of the day before in UTC. The
    server judges the day in Asia/Shanghai and accepts it (issue 10 item 17)."""
    clock.set(at(8, 10))
    response = _cadre_client(world).post(
        URL, {"client_id": str(uuid.uuid4()), **INSIDE, "device_time": "2026-11-25T23:30:00.000Z"}, format="json"
    )
    assert response.status_code == 201, response.json()
    signin = SignIn.objects.get()
    assert signin.date.isoformat() == "2026-11-26" and signin.offline
    assert signin.device_time == at(7, 30)


def test_an_offline_signin_from_yesterday_is_refused(world: World, clock: Any) -> None:
    import datetime as dt

    yesterday = at(8, 0, day=dt.date(2026, 11, 25)).isoformat()
    response = _cadre_client(world).post(
        URL, {"client_id": str(uuid.uuid4()), **INSIDE, "device_time": yesterday}, format="json"
    )
    assert response.status_code == 400
    assert "当天" in response.json()["device_time"][0]


def test_a_signin_issues_at_most_four_queries(world: World, clock: Any) -> None:
    """With a phone's token the cadre, team and village come with the token (accounts.authentication):
    a new sign-in is the token query and the INSERT; a repeated one also reads the day's row."""
    from zhucun.policy import profile_on

    profile_on(timezone.localdate())  # cached for a minute: the steady state of a morning
    key = token_issue(user=world.personas["cadre"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as created:
        assert client.post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json").status_code == 201
    with CaptureQueriesContext(connection) as repeated:
        assert client.post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json").status_code == 200
    assert len(created) == 2, [q["sql"] for q in created]
    assert len(repeated) <= 3, [q["sql"] for q in repeated]


def test_a_signin_with_a_session_reads_the_cadre_itself(world: World, clock: Any) -> None:
    """The phone page posts with the browser session: the cadre is not preloaded and is read once."""
    from django.test import Client

    from zhucun.policy import profile_on

    profile_on(timezone.localdate())
    client = Client(enforce_csrf_checks=False)
    client.force_login(world.personas["cadre"])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["cadre"] == world.personas["cadre"].cadre_id
    assert len(queries) <= 4, [q["sql"] for q in queries]  # session, user, cadre, insert


def test_an_unknown_token_is_refused_in_chinese(world: World, clock: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code == 401
    assert "登录凭证无效" in response.json()["detail"]
    assert SignIn.objects.count() == 0


def test_the_signin_response_is_the_serializers_representation(world: World, clock: Any) -> None:
    """The sign-in answers with a hand-built body (B1); it must stay what SignInSerializer gives."""
    from attendance.api.serializers import SignInSerializer, signin_body

    clock.set(at(12, 0))
    for device_time in (None, at(8, 5).isoformat()):
        extra = {"device_time": device_time} if device_time else {}
        body = _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE, **extra}, format="json")
        signin = SignIn.objects.get(pk=body.json()["id"])
        assert body.json() == signin_body(signin) == dict(SignInSerializer(signin).data)
        SignIn.objects.all().delete()


def test_the_cadre_page_shows_the_signin_button_then_the_result(world: World, clock: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.personas["cadre"])
    page = client.get(reverse("attendance-today")).content.decode()
    assert 'data-testid="signin-button"' in page
    _cadre_client(world).post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    page = client.get(reverse("attendance-today")).content.decode()
    assert "已签到 08:00，在范围内" in page  # one comma, no space (issue 15 item 11)
