"""What reading an upload gives (:class:`EventBatch`), and the fields read before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Crs = Literal["wgs84", "bng", "guess"]


@dataclass
class EventBatch:
    """Point events read from one upload, as parallel columns (one entry per event).

    Attributes
    ----------
    format : str
        ``"police.uk"``, ``"csv"`` or ``"geojson"``.
    row : list of int
        Where each event is in the file: the 1-based row a spreadsheet shows (the header is
        row 1, blank rows count); for GeoJSON, the feature's index + 1.
    category : list of str
        The event's category as the partner names it, e.g. ``"Criminal damage and arson"``.
    month : list of str
        The month of the event, ``"YYYY-MM"``.
    lon, lat : list of float or None
        WGS84 longitude and latitude; None when the record has no location.
    source_id : list of str or None
        The partner's identifier, e.g. police.uk's Crime ID (None when blank).
    location : list of str or None
        The partner's description of the place, e.g. ``"On or near Park Lane"``.
    reported_area : list of str or None
        The area the partner assigned, e.g. police.uk's ``LSOA code`` column.
    notes : list of str
        What the reader decided (format, encoding, columns used, coordinate system...).
    """

    format: str
    row: list[int] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    month: list[str] = field(default_factory=list)
    lon: list[float | None] = field(default_factory=list)
    lat: list[float | None] = field(default_factory=list)
    source_id: list[str | None] = field(default_factory=list)
    location: list[str | None] = field(default_factory=list)
    reported_area: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row)


@dataclass
class Fields:
    """One upload's events as read, before validation; one entry per data row."""

    rows: list[int]
    category: list[str]
    date: list[str]
    x: FloatArray  # NaN where blank, infinity where not a number (already an error)
    y: FloatArray
    crs: Crs
    source_id: list[str | None]
    location: list[str | None]
    reported_area: list[str | None]
    # Names of the category, date, x and y columns as the file spells them, for errors.
    names: dict[str, str]
