"""The cadre's phone form for a leave request; the rules are checked by ``leave_request_create``."""

from __future__ import annotations

from django import forms

from zhucun.inputs import PlausibleDateFormField

from .models import Half, LeaveRequest

ISO = "%Y-%m-%d"


class LeaveRequestForm(forms.Form):
    kind = forms.ChoiceField(label="假别", choices=LeaveRequest.Kind.choices, initial=LeaveRequest.Kind.PERSONAL)
    # ISO dates: a date input ignores any other format, and zh-hans would write 2026/11/30 (issue 15 item 9)
    start = PlausibleDateFormField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format=ISO))
    start_half = forms.ChoiceField(label="开始于", choices=Half.choices, initial=Half.AM)
    end = PlausibleDateFormField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}, format=ISO))
    end_half = forms.ChoiceField(
        label="结束于", choices=[(Half.AM, "上午（中午返岗）"), (Half.PM, "下午（全天）")], initial=Half.PM
    )
    reason = forms.CharField(label="事由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")
