"""Uploads of observations, in three layouts:

- **long** CSV (:mod:`.observations_long`): one row per value;
- **wide** CSV (:mod:`.observations_wide`): one row per area, one column per indicator;
- **JSON** (:mod:`.observations_json`): a list of objects with the long layout's fields;
- **mapped** (:mod:`.observations_mapped`): a wide file whose columns the analyst named.

Decisions on what is accepted, beyond what every layout shares (:mod:`app.uploads.reading`):

- the area column may be any usual code column (``area_code``, ``LSOA11CD``,
  ``LSOA code (2011)``...); when there are several, the finest geography wins (an LSOA
  code over its local authority's) and the others are listed as ignored;
- ``default_period`` applies to files and records without a period; a blank cell in a
  period column is an error, not a use of the default;
- every value needs a number; suppression markers (``*``, ``c``, ``..``, ``[c]``...) are
  errors asking for the value to be left out; in a semicolon-separated file a comma in a
  number is refused, since such files come from locales that write decimal commas;
- duplicates are detected on the text as written (area, period, indicator): the caller
  checks again after normalising periods (``2021-3`` and ``2021-03`` are one month).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import BinaryIO

from app.uploads.layouts.observation_rows import IndicatorCodes, ParsedObservations
from app.uploads.layouts.observations_json import JsonObservations
from app.uploads.layouts.observations_long import LongObservations
from app.uploads.layouts.observations_mapped import MappedObservations
from app.uploads.layouts.observations_wide import WideObservations
from app.uploads.reading.layout import Layouts, read_file
from app.uploads.reading.text import Limits


def observation_layouts(
    indicator_codes: Collection[str],
    default_period: str | None = None,
    mapping: Mapping[str, str] | None = None,
    area_column: str | None = None,
    period_column: str | None = None,
) -> Layouts[ParsedObservations]:
    codes = IndicatorCodes(indicator_codes)
    period = (default_period or "").strip() or None
    if mapping:
        # The analyst said which column is which: that alone reads the file.
        mapped = MappedObservations(codes, period, mapping, area_column, period_column)
        return Layouts(csv=[mapped], json=[JsonObservations(codes, period)])
    return Layouts(
        csv=[LongObservations(codes, period), WideObservations(codes, period)],
        json=[JsonObservations(codes, period)],
    )


def read_observations(
    data: BinaryIO,
    content_type: str,
    indicator_codes: Collection[str],
    *,
    default_period: str | None = None,
    filename: str | None = None,
    limits: Limits | None = None,
    header_row: int | None = None,
    mapping: Mapping[str, str] | None = None,
    area_column: str | None = None,
    period_column: str | None = None,
) -> ParsedObservations:
    """Read an upload of observations.

    Parameters
    ----------
    data : binary file
        The upload, from its current position; it is not closed.
    content_type : str
        Its media type (CSV or JSON; see :mod:`app.uploads.reading.content`); a
        ``charset`` parameter is honoured.
    indicator_codes : collection of str
        The codes the uploader may use; codes in the upload match them ignoring case and
        come back spelled as here.
    default_period : str, optional
        The period of every observation when the upload has no period column or key.
    filename : str, optional
        Decides CSV or JSON when the content type does not.
    limits : Limits, optional
        Its size and row limits (:class:`app.uploads.reading.Limits`).
    header_row : int, optional
        A CSV's header row, when rows above it hold a title.
    mapping, area_column, period_column : optional
        Which columns are which indicators (heading -> code), and which hold the area
        code and the period: the mapped layout (:mod:`.observations_mapped`).

    Returns
    -------
    ParsedObservations
        The rows read, every row error found and notes. The upload should be refused as
        a whole when ``errors`` is not empty.

    Raises
    ------
    UnsupportedTypeError, FormatError
        When the upload cannot be read at all.
    """
    layouts = observation_layouts(
        indicator_codes, default_period, mapping, area_column, period_column
    )
    return read_file(
        data, content_type, layouts, filename=filename, limits=limits, header_row=header_row
    )
