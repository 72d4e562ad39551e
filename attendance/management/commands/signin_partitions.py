"""``manage.py signin_partitions``: the sign-ins' monthly partitions (PostgreSQL; decision 0178).

signin_partitions                    list them, with the planner's row estimates
signin_partitions --ensure 2027-06   create every month up to June 2027 (the nightly job keeps three ahead)
signin_partitions --detach 2024-01   detach January 2024, to archive it (pg_dump -t) and drop it
signin_partitions --check-rollup 2026-11   compare the month's rollup with its sign-ins
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from attendance import partitions, rollup
from zhucun.inputs import InvalidInput, parse_month
from zhucun.workcalendar import month_bounds


def _month(raw: str) -> dt.date:
    try:
        return parse_month(raw, default=dt.date.min)
    except InvalidInput as exc:
        raise CommandError("月份格式应为 YYYY-MM，例如 2026-11。") from exc


class Command(BaseCommand):
    help = "签到表的月分区：列出、提前创建、分离归档；核对签到月汇总。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ensure", metavar="YYYY-MM", help="创建到该月为止的分区")
        parser.add_argument("--detach", metavar="YYYY-MM", help="分离该月的分区（归档后可删除）")
        parser.add_argument("--check-rollup", metavar="YYYY-MM", help="核对该月的签到月汇总")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.partitioned() and (options["ensure"] or options["detach"]):
            raise CommandError("只有 PostgreSQL 上的签到表按月分区。")
        if options["ensure"]:
            created = partitions.ensure(timezone.localdate(), _month(options["ensure"]))
            self.stdout.write(f"新建分区 {len(created)} 个：{'、'.join(created) or '无'}")
        if options["detach"]:
            try:
                name = partitions.detach(_month(options["detach"]))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"已分离 {name}：请用 pg_dump -t {name} 归档后再 DROP TABLE {name}。")
        if options["check_rollup"]:
            first, last = month_bounds(_month(options["check_rollup"]))
            wrong = rollup.differences(first, last)
            if wrong:
                raise CommandError(f"签到月汇总有 {len(wrong)} 行与签到不符，请运行 rollup.rebuild 修复：{wrong[:5]}")
            wrong = rollup.counter_differences(first, last)
            if wrong:
                raise CommandError(f"区县在岗计数有 {len(wrong)} 处与签到不符，请运行 rollup.rebuild 修复：{wrong[:5]}")
            self.stdout.write(f"{first:%Y年%m月} 的签到月汇总和区县在岗计数与签到一致。")
        if not any(options[k] for k in ("ensure", "detach", "check_rollup")):
            for partition in partitions.existing():
                self.stdout.write(f"{partition.name}\t{partition.bounds}\t约 {max(partition.rows, 0)} 行")
