"""Team funds (工作经费, 第十四条4, 第二十七条).

Each team has one account per year (专账核算), kept by the organization department of the county
where it is stationed, with a named responsible person (专人负责). Money moves only through the
ledger (``LedgerEntry``): allocations in, expenses out, and reversals that undo one entry. Entries are
never edited or deleted — the database refuses it (a trigger, migration 0002) — so 截留/挪用 cannot
hide in an edited row. The account row keeps the running totals, changed only by the ledger services
under a row lock, which is what keeps the balance from going below zero under concurrent entries.

Like every big table, accounts and entries carry the 12-digit ``village_code`` they are scoped by.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from cadres.models import Team
from zhucun.db import CODE_OPCLASSES, PATTERN_OPS, PREFIX_OPCLASSES


class LedgerIsAppendOnly(Exception):
    """An attempt to edit or delete a ledger entry (the database refuses it too, on PostgreSQL)."""


class SourceLevel(models.TextChoices):
    """Whose finance pays (第二十七条 由各级财政负责, 第二十七条 省级财政给予适当补贴)."""

    PROVINCE = "province", "省级财政"
    CITY = "city", "市级财政"
    COUNTY = "county", "县级财政"


class Category(models.TextChoices):
    """The uses 第二十七条 lists, and the two it allows from the surplus (结余部分)."""

    OFFICE = "office", "办公用品"
    STUDY = "study", "学习资料、学习用品"
    HOUSING = "housing", "住房补助"
    MEALS = "meals", "伙食补助"
    UTILITIES = "utilities", "水电补助"
    HEATING = "heating", "取暖补助"
    TELECOM = "telecom", "网络通信补助"
    POSTAGE = "postage", "公务邮寄"
    TRANSPORT = "transport", "必要交通费"
    VILLAGE_WELFARE = "village_welfare", "帮扶村公益事业（结余）"
    HOUSEHOLD_RELIEF = "household_relief", "帮扶、慰问贫困户（结余）"


#: Categories the article allows only from the surplus (结余部分, docs/decisions/0090-team-funds.md).
SURPLUS_CATEGORIES = frozenset({Category.VILLAGE_WELFARE, Category.HOUSEHOLD_RELIEF})


class FundAccount(models.Model):
    """A team's account for one year. The totals are maintained by ``funding.services`` only."""

    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="fund_accounts")
    year = models.PositiveSmallIntegerField("年度")
    village_code = models.CharField("驻在村代码", max_length=12)
    responsible_name = models.CharField("经费负责人", max_length=40, blank=True)
    responsible_phone = models.CharField("负责人电话", max_length=11, blank=True)
    carried_in = models.DecimalField("上年结转", max_digits=12, decimal_places=2, default=Decimal(0))
    allocated = models.DecimalField("本年拨入", max_digits=12, decimal_places=2, default=Decimal(0))
    spent = models.DecimalField("本年支出", max_digits=12, decimal_places=2, default=Decimal(0))
    surplus_spent = models.DecimalField("结余用于公益和帮扶", max_digits=12, decimal_places=2, default=Decimal(0))
    # What the overviews ask of every account, kept by the services with the totals above, under the
    # same lock: the expenses still waiting for reimbursement (neither reimbursed nor reversed) and the
    # date of the oldest, so a province's overview reads its accounts, not every entry ever booked.
    waiting_expenses = models.PositiveIntegerField("待报销支出（笔）", default=0)
    oldest_waiting = models.DateField("最早一笔待报销支出的日期", null=True, blank=True)
    opened_at = models.DateTimeField("开户时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作经费账户"
        verbose_name_plural = "工作经费账户"
        ordering = ["village_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["team", "year"], name="fund_account_one_per_team_year"),
            # The last line of defence behind the services' checks (第二十七条 不得挪作他用).
            models.CheckConstraint(
                name="fund_account_balance_not_negative",
                condition=models.Q(carried_in__gte=0)
                & models.Q(spent__lte=models.F("carried_in") + models.F("allocated")),
            ),
            models.CheckConstraint(
                name="fund_account_surplus_within_carry",
                condition=models.Q(surplus_spent__gte=0) & models.Q(surplus_spent__lte=models.F("carried_in")),
            ),
        ]
        indexes = [
            models.Index(
                fields=["year", "village_code"],
                name="fund_account_year_village_idx",
                opclasses=["int2_ops", PATTERN_OPS],
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.year}年工作经费"

    @property
    def balance(self) -> Decimal:
        return self.carried_in + self.allocated - self.spent


class CategorySpend(models.Model):
    """An account's net spending in one category of 第二十七条 (its expenses less their reversals),
    kept by the services with the account's totals under the team's lock: the overviews' spending
    chart sums these rows (about ten per account) instead of the ledger."""

    account = models.ForeignKey(
        FundAccount, verbose_name="账户", on_delete=models.PROTECT, related_name="category_spends"
    )
    village_code = models.CharField("驻在村代码", max_length=12)
    category = models.CharField("支出类别", max_length=20, choices=Category.choices)
    spent = models.DecimalField("净支出（元）", max_digits=12, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name = "分类支出"
        verbose_name_plural = "分类支出"
        ordering = ["account_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["account", "category"], name="category_spend_one_per_account_category")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.get_category_display()} {self.spent} 元"


class LedgerEntry(models.Model):
    """One movement of money. ``amount`` is always positive; its direction is the kind's (an
    allocation adds, an expense takes, a reversal undoes the entry it names)."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "拨入"
        EXPENSE = "expense", "支出"
        REVERSAL = "reversal", "冲销"

    account = models.ForeignKey(FundAccount, verbose_name="账户", on_delete=models.PROTECT, related_name="entries")
    village_code = models.CharField("驻在村代码", max_length=12)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    date = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    source_level = models.CharField("资金来源", max_length=10, choices=SourceLevel.choices, blank=True)
    is_subsidy = models.BooleanField("省级困难县补贴", default=False)
    category = models.CharField("支出类别", max_length=20, choices=Category.choices, blank=True)
    description = models.CharField("摘要", max_length=200)
    reverses = models.OneToOneField(
        "self", verbose_name="冲销的分录", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "经费分录"
        verbose_name_plural = "经费分录"
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(name="ledger_amount_positive", condition=models.Q(amount__gt=0)),
            models.CheckConstraint(
                name="ledger_kind_fields",
                condition=(
                    models.Q(kind="allocation", reverses__isnull=True, category="") & ~models.Q(source_level="")
                    | models.Q(kind="expense", reverses__isnull=True, source_level="") & ~models.Q(category="")
                    | models.Q(kind="reversal", reverses__isnull=False)
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["village_code", "date"], name="ledger_village_date_idx", opclasses=PREFIX_OPCLASSES),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} 元 {self.date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly("经费分录只能新增，不能修改；如需更正，请冲销后重新登记。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerIsAppendOnly("经费分录不能删除；如需更正，请冲销后重新登记。")

    @property
    def signed_amount(self) -> Decimal:
        """The entry's effect on the balance."""
        if self.kind == self.Kind.ALLOCATION:
            return self.amount
        if self.kind == self.Kind.EXPENSE:
            return -self.amount
        # a reversal undoes the entry it names; its kind is loaded with it by the selectors
        reversed_kind = self.reverses.kind if self.reverses else ""
        return -self.amount if reversed_kind == self.Kind.ALLOCATION else self.amount


def receipt_path(instance: Receipt, filename: str) -> str:
    return f"receipts/{instance.entry.date:%Y/%m}/{filename}"


class Receipt(models.Model):
    """A receipt attached to an expense: a photo re-encoded without metadata, or a PDF rebuilt from
    its pages only (no scripts, actions or attachments). Served as a download, never inline."""

    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        PDF = "pdf", "PDF"

    entry = models.ForeignKey(LedgerEntry, verbose_name="分录", on_delete=models.PROTECT, related_name="receipts")
    village_code = models.CharField("驻在村代码", max_length=12)
    kind = models.CharField("类型", max_length=6, choices=Kind.choices)
    file = models.FileField("文件", upload_to=receipt_path)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "报销凭证"
        verbose_name_plural = "报销凭证"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or str(self.file.name)


class Reimbursement(models.Model):
    """A reimbursement batch (报销) by the county: the expenses it settles. 第十四条4: at least every
    two months."""

    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="reimbursements")
    village_code = models.CharField("驻在村代码", max_length=12)
    date = models.DateField("报销日期")
    total = models.DecimalField("合计（元）", max_digits=12, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "报销批次"
        verbose_name_plural = "报销批次"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} 报销 {self.total} 元"


class ReimbursementItem(models.Model):
    """An expense settled by a batch; an expense is settled once (the unique key)."""

    reimbursement = models.ForeignKey(
        Reimbursement, verbose_name="报销批次", on_delete=models.PROTECT, related_name="items"
    )
    expense = models.OneToOneField(
        LedgerEntry, verbose_name="支出", on_delete=models.PROTECT, related_name="reimbursement_item"
    )

    class Meta:
        verbose_name = "报销明细"
        verbose_name_plural = "报销明细"

    def __str__(self) -> str:
        return f"{self.reimbursement_id} ← {self.expense_id}"


class OverdueFlag(models.Model):
    """A team flagged in a month for expenses waiting longer than the reimbursement interval
    (第十四条4); raised by the nightly job, once per team and month, with its notification."""

    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("驻在村代码", max_length=12)
    month = models.DateField("月份")
    expenses = models.PositiveIntegerField("逾期未报销笔数")
    oldest = models.DateField("最早一笔日期")
    raised_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = "逾期未报销标记"
        verbose_name_plural = "逾期未报销标记"
        ordering = ["-month", "village_code"]
        constraints = [models.UniqueConstraint(fields=["team", "month"], name="overdue_flag_one_per_team_month")]

    def __str__(self) -> str:
        return f"{self.village_code} {self.month:%Y-%m} 逾期 {self.expenses} 笔"


class InsurancePolicy(models.Model):
    """A cadre's accident insurance (第二十八条 省市县财政分级列支驻村干部意外保险专项经费): which insurer,
    which policy, which days it covers, what it cost and which level's finance paid. A wrong record is
    voided with a reason (the register keeps it), never edited."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name="驻村干部", on_delete=models.PROTECT, related_name="insurance_policies"
    )
    village_code = models.CharField("驻在村代码", max_length=12)
    insurer = models.CharField("保险公司", max_length=60)
    policy_number = models.CharField("保单号", max_length=40)
    cover_start = models.DateField("保障起期")
    cover_end = models.DateField("保障止期")
    premium = models.DecimalField("保费（元）", max_digits=10, decimal_places=2)
    paying_level = models.CharField("列支层级", max_length=10, choices=SourceLevel.choices)
    voided_reason = models.CharField("作废原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "意外保险"
        verbose_name_plural = "意外保险"
        ordering = ["cadre_id", "cover_start"]
        constraints = [
            models.CheckConstraint(
                name="insurance_cover_order", condition=models.Q(cover_end__gte=models.F("cover_start"))
            ),
            models.UniqueConstraint(fields=["insurer", "policy_number", "cadre"], name="insurance_policy_unique"),
        ]
        indexes = [models.Index(fields=["village_code"], name="insurance_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"


class InsuranceGapFlag(models.Model):
    """A cadre in post found without accident insurance for some day of the term (第二十八条), flagged
    once a month by the nightly job with a notification to the county and the dispatching unit."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name="驻村干部", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("驻在村代码", max_length=12)
    month = models.DateField("月份")
    first_gap = models.DateField("首个未投保日")
    raised_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = "未投保标记"
        verbose_name_plural = "未投保标记"
        constraints = [models.UniqueConstraint(fields=["cadre", "month"], name="insurance_gap_one_per_cadre_month")]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.month:%Y-%m} 自 {self.first_gap} 无保障"
