"""The application factory. Nothing connects at import: ``create_app(settings)``
builds an app, and the engine is made from the settings it is given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from app import problem_details, security_headers
from app.access.account_routes import router as accounts_router
from app.access.audit_routes import router as audit_router
from app.access.auth_routes import router as auth_router
from app.access.caching import PrivateForViewers
from app.access.oidc import OidcConfig
from app.access.routes import router as agencies_router
from app.analysis.gap_routes import router as gaps_router
from app.analysis.routes import router as analysis_router
from app.area_report.routes import router as area_report_router
from app.areas.custom_routes import router as custom_areas_router
from app.areas.routes import router as areas_router
from app.db import make_engine, make_sessionmaker
from app.deps import refuse_nul
from app.errors import DatabaseUnavailableError
from app.framework.routes import router as framework_router
from app.frontend import page_files
from app.indicators.routes import router as indicators_router
from app.maps.routes import router as maps_router
from app.observations.routes import router as observations_router
from app.ogc.routes import downloads as downloads_router
from app.ogc.routes import router as ogc_router
from app.ogc.routes import tiles_router
from app.settings import Settings, load_settings
from app.snapshots import SnapshotCache
from app.uploads.routes import router as uploads_router


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the NIS app for ``settings`` (or on an engine the caller owns).

    The app connects to ``settings.database_url`` and never starts a database server:
    the command line (``nis serve``, ``nis demo``) resolves or starts one and hands the
    URL in. Nor does it analyse: uploads queue analysis requests in PostgreSQL, which
    analysis workers (``nis worker``) serve in processes of their own.
    """
    owns_engine = engine is None
    if owns_engine and not settings.database_url:
        raise DatabaseUnavailableError(
            "create_app needs settings.database_url (or an engine): `nis serve` and "
            "`nis demo` find or start the database and pass its URL"
        )
    cache = SnapshotCache(settings.read_cache_entries)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_engine:
            assert settings.database_url is not None  # checked when the app was built
            app.state.engine = make_engine(settings.database_url)
            app.state.sessionmaker = make_sessionmaker(app.state.engine, cache)
        yield
        if owns_engine:
            app.state.engine.dispose()

    app = FastAPI(
        title="Neighbourhood Information System",
        version="0.1.0",
        summary="A city partnership's shared evidence base by neighbourhood.",
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul)],
        docs_url=None,  # security_headers serves /docs, with its policy
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.oidc = OidcConfig.from_settings(settings)  # keeps the provider's keys
    app.state.read_cache = cache
    if engine is not None:
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine, cache)
    problem_details.install(app)
    security_headers.install(app, settings)
    app.add_middleware(PrivateForViewers)  # no shared cache keeps a partner's answer
    for router in (
        areas_router,
        custom_areas_router,
        indicators_router,
        observations_router,
        uploads_router,
        agencies_router,
        auth_router,
        accounts_router,
        audit_router,
        analysis_router,
        gaps_router,
        maps_router,
        framework_router,
        area_report_router,
    ):
        app.include_router(router, prefix="/api")
    app.include_router(ogc_router)
    app.include_router(downloads_router)
    app.include_router(tiles_router)
    app.mount("/", page_files(), name="frontend")
    return app


def app_from_environment() -> FastAPI:
    """The app for the ``NIS_*`` environment, for servers that build one per worker
    process (``nis serve --web-workers N``, or
    ``uvicorn --factory app.main:app_from_environment --workers N``)."""
    return create_app(load_settings())
