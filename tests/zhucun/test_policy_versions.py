"""Issue 10 item 7 and decision 0005: the policy profile changes only by adding a version through
``policy_version_add`` — validated, never backdated, audited; a correction is a newer version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.policy import profile_on
from zhucun.services import policy_version_add
from zhucun.testing.world import World


def test_an_added_version_takes_effect_from_its_date_and_is_audited(world: World) -> None:
    today = timezone.localdate()
    version = policy_version_add(
        actor=world.personas["province"], name="五年任期", effective_from=today, overrides={"term_years": 5},
        basis="省委文件",
    )  # fmt: skip
    assert profile_on(today).term_years == 5
    assert profile_on(today - dt.timedelta(days=1)).term_years == 3
    event = AuditEvent.objects.get(action="policy.version_add", object_id=str(version.pk))
    assert event.actor == world.personas["province"]
    assert event.after is not None and event.after["overrides"] == {"term_years": 5}


def test_a_correction_is_a_newer_version_on_the_same_date(world: World) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    province = world.personas["province"]
    policy_version_add(actor=province, name="笔误", effective_from=tomorrow, overrides={"term_years": 50})
    policy_version_add(actor=province, name="更正", effective_from=tomorrow, overrides={"term_years": 5})
    assert profile_on(tomorrow).term_years == 5
    assert PolicyProfileVersion.objects.count() == 2  # the mistake stays in the history


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"effective_from": dt.date(2020, 1, 1)}, "effective_from", "生效日期不能早于今天"),
        ({"effective_from": dt.date(2200, 1, 1)}, "effective_from", "2100 年以前"),
        ({"name": " "}, "name", "请填写版本名称"),
        ({"overrides": {}}, "overrides", "请以 JSON 对象填写"),
        ({"overrides": {"term_yaers": 2}}, "overrides", "参数无法识别"),
        ({"overrides": {"excellent_ratio": "四成"}}, "overrides", "参数无法识别"),
    ],
)
def test_a_bad_version_is_refused_by_field_and_nothing_is_written(
    world: World, fields: dict[str, object], field: str, message: str
) -> None:
    values: dict[str, object] = {
        "name": "调整",
        "effective_from": timezone.localdate(),
        "overrides": {"term_years": 2},
        **fields,
    }
    with pytest.raises(ValidationError) as refused:
        policy_version_add(actor=world.personas["province"], **values)  # type: ignore[arg-type]
    assert message in " ".join(refused.value.message_dict[field])
    assert not PolicyProfileVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="policy.version_add").exists()
