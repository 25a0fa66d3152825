"""One row of an import: cells → the form data a browser would post → the form's rules.

Every row goes through the form class of the page (field rules, in Chinese);
the importers then apply the feature's service rules. Cell-level problems
(unknown choice, unknown unit, unreadable date) are reported by column.
"""
from __future__ import annotations

from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import ValidationError

from kaohe.auth.permissions import is_recused
from kaohe.core.forms import BaseForm
from kaohe.extensions import db
from kaohe.interop.sheets import CellError, Column, Sheet, cell_text, parse_date
from kaohe.officials import idcard
from kaohe.officials.models import Official
from kaohe.units.models import Unit

CHUNK = 500


class RowProblems(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors


def row_form(form_cls):
    """One instance of the page's form, re-filled for every row (binding is the slow part)."""

    class RowForm(form_cls):
        def __init__(self):
            # Skip BaseForm.__init__'s database choices: unit selects accept any id
            # (validate_choice=False) and the service reports unknown units.
            super(BaseForm, self).__init__(formdata=None, meta={"csrf": False})
            for f in self:
                if getattr(f, "choices", ()) is None:
                    f.choices = []

    form = RowForm()
    for f in form:
        if (type(f).pre_validate is SelectField.pre_validate and f.validate_choice
                and isinstance(f.choices, (list, tuple)) and f.choices):
            f.pre_validate = _choice_check(f)

    def fill(formdata):
        form.process(formdata)
        return form

    return fill


def _choice_check(f: SelectField):
    """SelectField.pre_validate with the field's (fixed) choices computed once.

    The same rule and message: the value must equal one of the coerced choices;
    WTForms rebuilds and normalises the list of choices on every call instead.
    """
    allowed = {f.coerce(value) for value, *_rest in f.choices}

    def pre_validate(form):
        if f.process_errors:
            return
        if f.data not in allowed:
            raise ValidationError(f.invalid_choice_message or f.gettext("Not a valid choice."))

    return pre_validate


class RowData(dict):
    """A row's form data: one value a field, read the way WTForms reads a request's form
    (``getlist``); a plain dict beside werkzeug's MultiDict, which wraps every value in a
    list of its own (an import fills its form tens of thousands of times)."""

    def getlist(self, key: str) -> list:
        return [self[key]] if key in self else []


class Lookup:
    """Units by name or code, officials by ID number; loaded once per import."""

    def __init__(self):
        self.units: dict[str, int | None] = {}
        # Held here so the services' session.get(Unit, id) finds them in the identity map.
        self.unit_objects = list(db.session.scalars(select(Unit)))
        self.unit_ids = {unit.id for unit in self.unit_objects}
        for unit in self.unit_objects:
            self.units[unit.code] = unit.id
            # A name shared by two units is ambiguous: None.
            self.units[unit.name] = None if unit.name in self.units and \
                self.units[unit.name] != unit.id else unit.id
        self.officials: dict[str, Official] = {}
        self.id_numbers: dict[str, int] = {}  # every official's, deleted ones included
        self.looked_up: set[str] = set()  # numbers asked of the database

    def load_officials(self, numbers) -> None:
        wanted = sorted({n for n in numbers if n and n not in self.looked_up})
        self.looked_up.update(wanted)
        for i in range(0, len(wanted), CHUNK):
            part = wanted[i:i + CHUNK]
            for number, official_id in db.session.execute(
                    select(Official.id_number, Official.id).where(Official.id_number.in_(part))
                    .execution_options(include_deleted=True)):
                self.id_numbers[number] = official_id
            for o in db.session.scalars(select(Official).where(Official.id_number.in_(part))):
                self.officials[o.id_number] = o

    def forget_officials(self) -> None:
        """Let go of the officials loaded so far (an import loads them batch by batch)."""
        self.officials, self.id_numbers, self.looked_up = {}, {}, set()

    def id_number_holder(self, number: str) -> int | None:
        """:func:`kaohe.officials.services.check_official`'s clash lookup, from memory."""
        if number not in self.looked_up:
            self.load_officials([number])
        return self.id_numbers.get(number)


def form_values(sheet: Sheet, raw: dict, lookup: Lookup, current=None,
                extra: dict | None = None) -> tuple[RowData, dict[str, str]]:
    """Cells → the form data a browser would post; cell-level problems by field.

    A column missing from the file keeps ``current``'s value (blank for a new record);
    ``extra`` adds values the importer found (e.g. the indicator of the row).
    """
    form, errors = RowData({**sheet.fixed, **(extra or {})}), {}
    for c in sheet.columns:
        if c.kind == "person" or c.field == "person_name" or c.kind == "lookup":
            continue
        if c.field not in raw:
            text = current_text(current, c.field) if current is not None else ""
        else:
            try:
                text = convert(c, raw[c.field], lookup)
            except CellError as exc:
                errors[c.field] = str(exc)
                continue
        if c.kind != "bool" or text:  # an unticked checkbox is not posted
            form[c.field] = text
    return form, errors


def current_text(obj, name: str) -> str:
    value = getattr(obj, name, None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def convert(c: Column, value, lookup: Lookup) -> str:
    if c.kind in ("date", "month_date"):
        if value is None or cell_text(value) == "":
            return ""
        day, _month_only = parse_date(value, month_ok=c.kind == "month_date")
        return day.isoformat()
    text = cell_text(value)
    if text == "":
        return ""
    if c.kind == "choice" or c.kind == "bool":
        if text not in c.choices:
            shown = "、".join(k for k in c.choices if k)
            raise CellError(f"“{text}”不是允许的取值；应为：{shown}。")
        return c.choices[text]
    if c.kind == "unit":
        return str(unit_id(text, lookup))
    if c.kind == "int" and isinstance(value, float) and not value.is_integer():
        raise CellError(f"“{text}”不是整数。")
    return text


def unit_id(text: str, lookup: Lookup) -> int:
    if text not in lookup.units:
        raise CellError(f"系统中没有名称或代码为“{text}”的单位。")
    if lookup.units[text] is None:
        raise CellError(f"有多个单位名为“{text}”，请改填单位代码。")
    return lookup.units[text]


def validated(sheet: Sheet, raw: dict, lookup: Lookup, fill, current=None,
              errors: dict[str, str] | None = None, extra: dict | None = None) -> dict:
    """The row through the page's form: the data the form hands its service.

    ``errors`` found by the importer (an unknown indicator…) are reported with the
    row's other problems.
    """
    formdata, cell_errors = form_values(sheet, raw, lookup, current, extra)
    errors = {**(errors or {}), **cell_errors}
    form = fill(formdata)
    if not form.validate():
        for name, messages in form.errors.items():
            if messages and name not in errors:
                errors[name] = messages[0]
    if errors:
        raise RowProblems(errors)
    data = form.data_for_service()
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def with_current(sheet, raw, lookup, fill, data, current, extra=None):
    """Re-read the row over ``current`` when the file lacks some of the sheet's columns."""
    if current is None or all(c.field in raw for c in sheet.columns if c.kind != "lookup"):
        return data
    return validated(sheet, raw, lookup, fill, current, extra=extra)


def official_for_row(raw: dict, lookup: Lookup) -> Official:
    number = cell_text(raw.get("id_number")).upper()
    issue = idcard.problem(number) if number else "请填写身份证号。"
    if issue:
        raise RowProblems({"id_number": issue})
    official = lookup.officials.get(number)
    if official is None:
        raise RowProblems({"id_number": f"系统中没有身份证号为 {number} 的干部，请先导入干部基本信息。"})
    refuse_if_recused(official)
    name = cell_text(raw.get("person_name"))
    if name and name != official.name:
        raise RowProblems({"person_name": f"与身份证号对应的干部姓名（{official.name}）不一致。"})
    return official


RECUSED_ROW = "不能导入本人或近亲属的记录（回避）。"


def refuse_if_recused(official: Official | None) -> None:
    """回避: a row about the importing user or a declared relative of theirs is refused,
    before anything of the official's records is compared or told back (the shared rule
    of :func:`kaohe.auth.permissions.is_recused`; nobody is recused outside a request)."""
    if official is not None and is_recused(official.id):
        raise RowProblems({"id_number": RECUSED_ROW})


def changed(obj, data: dict) -> bool:
    return any(getattr(obj, k) != v for k, v in data.items() if hasattr(obj, k))
