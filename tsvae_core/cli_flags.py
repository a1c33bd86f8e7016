"""Command-line flags made from ``param`` parameters, and their checks.

Every parameter of a class becomes a flag (``seq_len`` -> ``--seq-len``) whose type,
choices and help come from the parameter; ``range_problem`` then checks the values
against the parameters' bounds. A new config field, or a new bounded option declared
as a parameter (``tsvae_core.cli.TrainOptions``), is parsed and checked without a line
here. Imports only ``param`` and the configuration: the checks run before Keras or
TensorFlow are imported, so a bad flag is answered in a fraction of a second.
"""
from __future__ import annotations

import argparse

import param

from .config import CONFIG_CLASSES, field_names
from .fields import allowed, parse_bool, parse_int, parse_number


def _converter(p: param.Parameter, parse, kind: str):
    """An argparse ``type`` that reads text with ``parse`` and, on failure, names what
    the field allows (argparse prints it after ``argument --flag:`` and exits 2)."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid {kind} value: {text!r}; {allowed(p)}") from None
    return convert


def _bool_flag(text: str) -> bool:
    try:
        return parse_bool(text)
    except ValueError as exc:  # argparse shows an ArgumentTypeError's own text
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None


def add_param_flags(parser: argparse.ArgumentParser, cls: type[param.Parameterized],
                    title: str | None = None) -> None:
    """A flag for every parameter of ``cls`` (default None: unset keeps the class's own)."""
    group = parser.add_argument_group(title or cls.__name__)
    for name in field_names(cls):
        p = cls.param[name]
        flag = "--" + name.replace("_", "-")
        doc = p.doc or ""
        if isinstance(p, param.Boolean):
            group.add_argument(flag, type=_bool_flag, metavar="true|false", help=doc)
        elif isinstance(p, param.List):
            group.add_argument(flag, type=_converter(p, parse_number, "float"), nargs="+",
                               help=doc)
        elif isinstance(p, param.Selector):
            group.add_argument(flag, choices=p.objects, help=doc)
        elif isinstance(p, param.String):
            group.add_argument(flag, help=doc)
        elif isinstance(p, param.Integer):
            group.add_argument(flag, type=_converter(p, parse_int, "int"),
                               help=f"{doc} Range {p.bounds}.")
        elif isinstance(p, param.Number):
            group.add_argument(flag, type=_converter(p, parse_number, "float"),
                               help=f"{doc} Range {p.bounds}.")
        else:
            group.add_argument(flag, help=doc)


def add_field_flags(parser: argparse.ArgumentParser) -> None:
    """A flag for every field of the three configs."""
    for cls in CONFIG_CLASSES:
        add_param_flags(parser, cls)


def param_values(args: argparse.Namespace, cls: type[param.Parameterized]) -> dict:
    """The flags of ``cls``'s parameters that were given: name -> value."""
    return {n: v for n in field_names(cls) if (v := getattr(args, n, None)) is not None}


def range_problem(values: dict, classes=CONFIG_CLASSES) -> str:
    """The first flag whose value its parameter does not allow, as ``--flag value:
    allowed range ...`` ('' when all are allowed); param's own message names no range.
    ``values``: name -> value of parameters of ``classes`` (the three configs by default)."""
    owners = {n: cls for cls in classes for n in field_names(cls)}
    for name, value in values.items():
        owner = owners[name]
        try:
            owner(**{name: value})
        except ValueError:
            shown = " ".join(map(str, value)) if isinstance(value, list) else value
            return f"--{name.replace('_', '-')} {shown}: {allowed(owner.param[name])}"
    return ""
