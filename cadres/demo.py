"""A small but realistic demo province, built as a roster workbook and loaded through the same
import that officials use (so demo data obeys every import rule)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from openpyxl import Workbook

from .idnumbers import check_digit
from .roster import COLUMNS

DEMO_PASSWORD = "Zhucun@2026"  # noqa: S105 - published demo password, printed by make run

# city code, city; county code, county; townships (code suffix, name); each township gets 3 villages.
DEMO_TREE = [
    ("1301", "石家庄市", [("130125", "行唐县", ["龙州镇", "上碑镇"]), ("130126", "灵寿县", ["灵寿镇", "青同镇"])]),
    ("1306", "保定市", [("130624", "阜平县", ["阜平镇", "龙泉关镇"]), ("130630", "涞源县", ["涞源镇", "银坊镇"])]),
    ("1304", "邯郸市", [("130434", "魏县", ["魏城镇", "德政镇"])]),
]
VILLAGE_NAMES = ["东庄村", "西沟村", "南岭村", "北坡村", "前进村", "红旗村", "杏树村", "石门村", "柳林村", "张家庄村"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "建国",
    "志强",
    "海燕",
    "晓东",
    "丽华",
    "永刚",
    "春梅",
    "立新",
    "文博",
    "雪松",
    "红霞",
    "国庆",
    "明辉",
    "秀英",
    "振华",
]
PROVINCE_UNITS = ["省财政厅", "省农业农村厅", "省教育厅", "省卫生健康委", "省交通运输厅", "省委组织部"]


def _id_number(serial: int, gender_male: bool) -> str:
    birth = dt.date(1975, 1, 1) + dt.timedelta(days=serial * 97 % 6000)
    seq = (serial * 2 + (1 if gender_male else 0)) % 1000
    first17 = f"130102{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def demo_rows() -> Iterator[list[str]]:
    serial = 0
    village_index = 0
    for _city_code, city, counties in DEMO_TREE:
        for county_code, county, townships in counties:
            for t_index, township in enumerate(townships):
                township_code = f"{county_code}{100 + t_index * 2:03d}"
                for v in range(3):
                    village = VILLAGE_NAMES[(village_index + v) % len(VILLAGE_NAMES)]
                    village_code = f"{township_code}{200 + v:03d}"
                    lon = f"{114.0 + village_index * 0.013 + v * 0.004:.6f}"
                    lat = f"{38.0 + village_index * 0.011 + v * 0.003:.6f}"
                    # Alternate province-, city- and county-dispatched teams.
                    kind = (village_index + v) % 3
                    if kind == 0:
                        unit, level = PROVINCE_UNITS[(village_index + v) % len(PROVINCE_UNITS)], "省"
                    elif kind == 1:
                        unit, level = f"{city}农业农村局", "市"
                    else:
                        unit, level = f"{county}人民医院", "县"
                    roles = ["第一书记兼队长", "队员", "队员"] if v != 1 else ["第一书记", "队长", "队员"]
                    for role in roles:
                        serial += 1
                        male = serial % 3 != 0
                        name = SURNAMES[serial % len(SURNAMES)] + GIVEN[(serial * 7) % len(GIVEN)]
                        member_unit, member_level = unit, level
                        if role == "队员" and serial % 5 == 0:  # a mixed team (混合编组, 第十六条)
                            member_unit, member_level = f"{county}农业农村局", "县"
                        yield [
                            city, county, township, village, village_code, lon, lat,
                            member_unit, member_level, name, "男" if male else "女",
                            _id_number(serial, male), f"139{serial:08d}", role, "2024-07-01",
                        ]  # fmt: skip
                village_index += 3


def demo_roster_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in demo_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# username, role, scope (region code; unit and cadre are resolved by name), description
DEMO_ACCOUNTS = [
    ("sheng", "province_org", "13", "省委组织部"),
    ("shijiazhuang", "city_org", "1301", "石家庄市委组织部"),
    ("xingtang", "county_org", "130125", "行唐县委组织部（驻村办）"),
    ("longzhou", "township", "130125100", "行唐县龙州镇党委"),
    ("shangbei", "township", "130125102", "行唐县上碑镇党委（另一乡镇）"),
    ("danwei", "unit", "省财政厅", "派出单位：省财政厅"),
    ("ganbu", "cadre", "130125100200", "驻村干部：龙州镇东庄村第一书记兼队长"),
    # 三员 (decision 0048): appointed by the operator, none of them sees the cadres' data.
    ("xitong", "system_admin", "13", "系统管理员（省）：政策参数、定时作业"),
    ("anquan", "security_admin", "13", "安全管理员（省）：账号、锁定、交叉检查授权"),
    ("shenji", "audit_admin", "13", "审计管理员（省）：只读操作记录"),
]


#: the demo's first secretary (ganbu, 龙州镇东庄村) appointed village party secretary (第十八条)
DEMO_PARTY_SECRETARY_VILLAGE = "130125100200"


def seed_party(*, today: dt.date | None = None) -> int:
    """第十八条 for the demo: the cadres' party membership transfers — three in four recorded (most
    confirmed by the township, every fourth recorded still waiting for it, so 龙州镇's list has some to
    confirm in place), a few recorded as 非中共党员, the rest not recorded yet — and the demo first
    secretary appointed village party secretary after both consents. Written directly (no audit, no
    notifications), deterministic and idempotent; returns the transfers created (0 when present)."""
    from django.utils import timezone

    from accounts.models import User

    from .models import Cadre, PartySecretaryAppointment, PartyTransfer, Region
    from .policies import FIRST_SECRETARY_ROLES

    if PartyTransfer.objects.exists():
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    townships = {user.region_id: user for user in User.objects.filter(role="township", is_active=True).order_by("pk")}
    units = {user.unit_id: user for user in User.objects.filter(role="unit", is_active=True).order_by("pk")}
    transfers: list[PartyTransfer] = []
    cadres = Cadre.objects.filter(status=Cadre.Status.ACTIVE).select_related("team__village", "unit")
    for i, cadre in enumerate(cadres.order_by("team__village_id", "pk")):
        village = cadre.team.village
        township = townships.get(Region.township_of(village.code))
        recorder = units.get(cadre.unit_id) or township
        kind = i % 8
        if kind in (3, 7):
            continue  # not recorded yet: pending as well
        if kind == 5:
            transfers.append(
                PartyTransfer(
                    cadre=cadre, village_code=village.code, status=PartyTransfer.Status.NOT_MEMBER,
                    recorded_by=recorder, recorded_at=now - dt.timedelta(days=300),
                )
            )  # fmt: skip
            continue
        record = PartyTransfer(
            cadre=cadre,
            village_code=village.code,
            from_organization=f"{cadre.unit.name}机关党委",
            to_organization=f"{village.name}党组织",
            recorded_by=recorder,
        )
        if kind in (1, 6):  # a letter issued lately, the township has not confirmed it yet
            record.sent_on = today - dt.timedelta(days=3 + i % 5)
            record.recorded_at = now - dt.timedelta(days=2 + i % 5)
        else:
            record.sent_on = cadre.term_start + dt.timedelta(days=i % 6)
            record.received_on = record.sent_on + dt.timedelta(days=7)
            record.recorded_at = now - dt.timedelta(days=(today - record.sent_on).days)
            record.status = PartyTransfer.Status.CONFIRMED
            record.confirmed_by = township
            record.confirmed_at = now - dt.timedelta(days=(today - record.received_on).days)
        transfers.append(record)
    PartyTransfer.objects.bulk_create(transfers)

    secretary = Cadre.objects.filter(
        team__village_id=DEMO_PARTY_SECRETARY_VILLAGE, status=Cadre.Status.ACTIVE, role__in=FIRST_SECRETARY_ROLES
    ).first()
    if (
        secretary is not None
        and not PartySecretaryAppointment.objects.filter(village_code=secretary.team.village_id).exists()
    ):
        township = townships.get(Region.township_of(secretary.team.village_id))
        decided = today - dt.timedelta(days=45)
        PartySecretaryAppointment.objects.create(
            cadre=secretary,
            village_code=secretary.team.village_id,
            status=PartySecretaryAppointment.Status.APPOINTED,
            reason="村“两委”换届中，本村党组织书记没有合适人选，经乡镇党委研究，拟由第一书记兼任。",
            proposed_by=township,
            proposed_at=now - dt.timedelta(days=60),
            cadre_consent_by=User.objects.filter(cadre=secretary).first(),
            cadre_consent_at=now - dt.timedelta(days=57),
            unit_consent_by=units.get(secretary.unit_id),
            unit_consent_at=now - dt.timedelta(days=52),
            unit_consent_note=f"{secretary.unit.name}党组会议研究同意",
            decided_on=decided,
            decision_no=f"龙党任〔{decided.year}〕3号",
            decided_by=township,
            decided_at=now - dt.timedelta(days=45),
        )
    return len(transfers)
