"""System checks of this project's settings (``manage.py check``; runserver and migrate run them before
they start, and the web container migrates on start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def audit_retention_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """等保 2.0 level 3 keeps the audit trail at least six months online (issue 10 item 13)."""
    from zhucun.append_only import MIN_RETENTION_DAYS

    days = getattr(settings, "ZHUCUN_AUDIT_RETENTION_DAYS", None)
    if not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        return [
            checks.Error(
                f"ZHUCUN_AUDIT_RETENTION_DAYS 为 {days!r}：操作记录至少在线保存 {MIN_RETENTION_DAYS} 天。",
                hint=f"请把 ZHUCUN_AUDIT_RETENTION_DAYS 设为不小于 {MIN_RETENTION_DAYS} 的整数（默认 365）。",
                id="zhucun.E001",
            )
        ]
    return []


@checks.register(checks.Tags.database)
def append_only_triggers_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    """``manage.py check --database default``: the append-only triggers are in the database."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from zhucun import append_only

    messages: list[checks.CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor not in ("postgresql", "sqlite"):
            continue
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            continue  # not migrated yet: migrate installs the triggers (and runs this check first)
        if len(append_only.installed(connection)) < 4:
            messages.append(
                checks.Error(
                    f"数据库 {alias} 缺少操作记录和政策参数版本的只追加触发器。",
                    hint="请运行 python manage.py migrate（迁移完成后会自动补建触发器）。",
                    id="zhucun.E002",
                )
            )
    return messages


@checks.register()
def channels_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every channel named in ZHUCUN_CHANNELS exists and has its credentials (decision 0150): a
    deployment that enabled 企业微信 without its secret is told at start, not by failed deliveries."""
    from zhucun.channels import FACTORIES, REQUIRED_SETTINGS

    messages: list[checks.CheckMessage] = []
    for code in getattr(settings, "ZHUCUN_CHANNELS", []):
        if code not in FACTORIES:
            messages.append(
                checks.Error(
                    f"ZHUCUN_CHANNELS 中的渠道 {code!r} 不存在。",
                    hint=f"可用的渠道：{', '.join(sorted(FACTORIES))}。",
                    id="zhucun.E010",
                )
            )
            continue
        missing = [name for name in REQUIRED_SETTINGS.get(code, ()) if not str(getattr(settings, name, "")).strip()]
        if missing:
            messages.append(
                checks.Error(
                    f"已启用渠道 {code}，但未设置 {'、'.join(missing)}。",
                    hint="请在环境变量中设置这些参数（README“Configuration”），或从 ZHUCUN_CHANNELS 中去掉该渠道。",
                    id="zhucun.E011",
                )
            )
        for name in ("ZHUCUN_WECOM_AGENTID", "ZHUCUN_DINGTALK_AGENTID"):
            value = str(getattr(settings, name, ""))
            if code in name.lower() and value and not value.isdigit():
                messages.append(checks.Error(f"{name} 应为数字（应用的 AgentId）。", id="zhucun.E012"))
    return messages
