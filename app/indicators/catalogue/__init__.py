"""The indicator catalogue format: what each indicator measures, who supplies it, how to show it.

A catalogue is a CSV file (one indicator a row, lists separated by ``;``) or JSON (a list of
objects, lists as arrays) whose fields are those of
:class:`~app.indicators.indicator.Indicator`. Reading one checks every row and reports every
problem at once, each with its row and field, so that an analyst can fix a spreadsheet in one
go rather than one error per upload.

Row numbers are what the person fixing the file sees: in a CSV the spreadsheet row (the
header is row 1, so the first indicator is row 2); in JSON the object's position counting
from 1. Row 0 means the file as a whole.
"""

from app.indicators.catalogue.problems import CatalogueError, Problem
from app.indicators.catalogue.reading import DEFAULT_CATALOGUE, default_catalogue, read_catalogue
from app.indicators.catalogue.spec import LIST_SEPARATOR, REQUIRED_FIELDS
from app.indicators.catalogue.writing import catalogue_to_csv, catalogue_to_json
from app.indicators.indicator import FIELDS, OPTIONAL_FIELDS, Indicator

__all__ = [
    "DEFAULT_CATALOGUE",
    "FIELDS",
    "LIST_SEPARATOR",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "CatalogueError",
    "Indicator",
    "Problem",
    "catalogue_to_csv",
    "catalogue_to_json",
    "default_catalogue",
    "read_catalogue",
]
