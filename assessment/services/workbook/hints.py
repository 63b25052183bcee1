"""What the workbook checks and computes as a person types: number ranges as data validation, the parts of a whole
(`at_most`) against the whole's cell, and a computed figure with the option it gives as formulas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from assessment.domain.answers import N_
from assessment.domain.questionnaire import BandDerivation, ChangeDerivation, DataField, Item, Quantity

Translate = Callable[[str], str]
RULES = {
    (True, True, True): N_("Enter a whole number from {low} to {high}."),
    (True, True, False): N_("Enter a number from {low} to {high}."),
    (True, False, True): N_("Enter a whole number of at least {low}."),
    (True, False, False): N_("Enter a number of at least {low}."),
    (False, True, True): N_("Enter a whole number of at most {high}."),
    (False, True, False): N_("Enter a number of at most {high}."),
    (False, False, True): N_("Enter a whole number."),
    (False, False, False): N_("Enter a number."),
}


def figure(value: Fraction) -> str:
    """A number as a formula writes it: 10, 0.25."""
    return str(value.numerator) if value.denominator == 1 else repr(float(value))


def number_rule_text(low: Fraction | None, high: Fraction | None, integer: bool, translate: Translate) -> str:
    """What a number cell accepts, in words: "Enter a whole number of at least 0."."""
    message = RULES[(low is not None, high is not None, integer)]
    return translate(message).format(low=figure(low) if low is not None else "", high=figure(high) if high is not None else "")


def _validation(sheet: Worksheet, kind: str, message: str, operator: str | None = None, formula1: str | None = None,
                formula2: str | None = None) -> DataValidation:
    validation = DataValidation(type=kind, operator=operator, formula1=formula1, formula2=formula2, allow_blank=True,
                                showErrorMessage=True, showInputMessage=True)
    validation.error = message
    validation.prompt = message
    sheet.add_data_validation(validation)
    return validation


def _bounded(sheet: Worksheet, kind: str, low: Fraction | None, high: Fraction | None, message: str) -> DataValidation:
    if low is not None and high is not None:
        return _validation(sheet, kind, message, "between", figure(low), figure(high))
    if low is not None:
        return _validation(sheet, kind, message, "greaterThanOrEqual", figure(low))
    if high is not None:
        return _validation(sheet, kind, message, "lessThanOrEqual", figure(high))
    return _validation(sheet, kind, message, "between", "-1E+300", "1E+300")


def validation_for_number(item: Item, sheet: Worksheet, cell: str, translate: Translate) -> DataValidation:
    """A number item's range as data validation."""
    return _bounded(sheet, "decimal", item.minimum, item.maximum,
                    number_rule_text(item.minimum, item.maximum, False, translate))


def validation_for_field(spec: DataField, sheet: Worksheet, cell: str, whole: str | None, whole_label: str,
                         translate: Translate) -> DataValidation:
    """A data field's range (and whole numbers) as data validation; a part is also checked against its whole's cell."""
    message = number_rule_text(spec.minimum, spec.maximum, spec.integer, translate)
    if whole is None:
        return _bounded(sheet, "whole" if spec.integer else "decimal", spec.minimum, spec.maximum, message)
    checks = [f"ISNUMBER({cell})", f"OR(NOT(ISNUMBER({whole})),{cell}<={whole})"]
    checks += [f"{cell}>={figure(spec.minimum)}"] if spec.minimum is not None else []
    checks += [f"{cell}<={figure(spec.maximum)}"] if spec.maximum is not None else []
    checks += [f"INT({cell})={cell}"] if spec.integer else []
    message += translate(N_(" It cannot be larger than {whole}.")).format(whole=whole_label)
    return _validation(sheet, "custom", message, None, "AND(" + ",".join(checks) + ")")


def _ratio(quantity: Quantity, cells: Mapping[str, str]) -> tuple[str, list[str]] | None:
    """A quantity as a formula over the fields' cells, and the checks that make it computable."""
    if any(name not in cells for name in quantity.fields()):
        return None
    numerator = cells[quantity.numerator]
    checks = [f"ISNUMBER({numerator})"]
    if quantity.denominator is None:
        return f"({numerator}*{figure(quantity.factor)})", checks
    denominator = cells[quantity.denominator]
    checks += [f"ISNUMBER({denominator})", f"{denominator}<>0"]
    return f"({numerator}/{denominator}*{figure(quantity.factor)})", checks


def _band_hint(derive: BandDerivation, cells: Mapping[str, str], here: str,
               translate: Translate) -> tuple[str, str, str] | None:
    ratio = _ratio(derive.quantity, cells)
    if ratio is None:
        return None
    value, checks = ratio
    option = '""'
    for band in reversed(derive.bands):
        tests = [f"{here}{'>=' if band.lower_inclusive else '>'}{figure(band.lower)}"] if band.lower is not None else []
        tests += [f"{here}{'<=' if band.upper_inclusive else '<'}{figure(band.upper)}"] if band.upper is not None else []
        option = f'IF(AND({",".join(tests) or "TRUE"}),"{band.option}",{option})'
    label = translate(N_("Computed from the figures ({unit}); the option it gives is beside it")).format(unit=derive.unit)
    return label, f'=IF(AND({",".join(checks)}),{value},"")', f'=IF({here}="","",{option})'


def _change_hint(derive: ChangeDerivation, cells: Mapping[str, str], here: str,
                 translate: Translate) -> tuple[str, str, str] | None:
    current, previous = _ratio(derive.current, cells), _ratio(derive.previous, cells)
    if current is None or previous is None:
        return None
    checks = [*current[1], *previous[1]]
    change = f"({current[0]}-{previous[0]})/ABS({previous[0]})*100"
    value = f'=IF(AND({",".join(checks)}),IF({previous[0]}<>0,{change},""),"")'
    tolerance = figure(derive.tolerance * 100)
    option = (f'=IF({here}="","",IF(ABS({here})<={tolerance},"{derive.same}",'
              f'IF({here}>0,"{derive.increase}","{derive.decrease}")))')
    return translate(N_("Change computed from the figures (%); the option it gives is beside it")), value, option


def hint_rows(item: Item, cells: Mapping[str, str], here: str, translate: Translate) -> list[tuple[str, str, str]]:
    """The computed hint of an item with a derivation: (label, formula of the figure, formula of the option)."""
    if isinstance(item.derive, BandDerivation):
        found = _band_hint(item.derive, cells, here, translate)
    elif isinstance(item.derive, ChangeDerivation):
        found = _change_hint(item.derive, cells, here, translate)
    else:
        found = None
    return [found] if found else []
