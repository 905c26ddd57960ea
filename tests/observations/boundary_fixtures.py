"""Helpers for the boundary-change tests: tiny boundary files, lookups and uploads."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from sqlalchemy.orm import Session

from app.access.viewer import CLI
from app.indicators.catalogue import default_catalogue
from app.indicators.service import import_catalogue
from app.uploads.observation_uploads import UploadResult, upload_observations
from app.uploads.source import UploadSource


def squares(path: Path, codes: list[str]) -> Path:
    """A GeoJSON of one small square per code, side by side (longitude/latitude)."""
    features = []
    for i, code in enumerate(codes):
        x, y = -1.5 + 0.01 * i, 53.4
        ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": f"Area {code}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def upload(
    session: Session, rows: list[tuple[object, ...]], numerators: bool = False
) -> UploadResult:
    """Upload long-layout rows (area_code, period, indicator, value[, numerator,
    denominator]) through the normal upload path, as the CLI's administrator."""
    header = "area_code,period,indicator,value" + (",numerator,denominator" if numerators else "")
    text = header + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"
    data = text.encode()
    source = UploadSource(
        io.BytesIO(data), "text/csv", "test.csv", hashlib.sha256(data).hexdigest(), len(data)
    )
    return upload_observations(session, CLI, source)


def load_catalogue(session: Session) -> None:
    import_catalogue(session, CLI, default_catalogue())
