"""Typed settings, read from ``NIS_*`` environment variables only when asked for.

Nothing here runs at import: :func:`load_settings` is called by the CLI and by
``create_app`` callers, and tests build their own :class:`Settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Hosts an identity provider may be reached on over plain http (a provider on this machine,
# as the tests run one); anywhere else the issuer must be https.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Settings(BaseSettings):
    """Configuration of one NIS instance."""

    model_config = SettingsConfigDict(env_prefix="NIS_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description=(
            "A plain postgresql://user@host:port/db URL. When unset, NIS runs a private "
            "PostgreSQL cluster of its own in data_dir."
        ),
    )
    data_dir: Path = Field(
        default=Path(".nis"),
        description="Where the private PostgreSQL cluster lives when database_url is unset.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    stream_batch_rows: int = Field(
        default=2000, ge=1, description="Rows fetched per round trip when streaming GeoJSON."
    )
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1024,
        description="Largest upload accepted (413 beyond it); uploads are streamed to disk.",
    )
    max_upload_text_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest upload once decompressed (413 as soon as decompression passes it); "
            "JSON uploads, parsed whole, may be an eighth of it."
        ),
    )
    max_upload_rows: int = Field(
        default=250_000,
        ge=1,
        description=(
            "Most rows (CSV records, JSON records, GeoJSON features) one upload may hold "
            "(413 beyond it); reading costs about 500 bytes a police.uk row."
        ),
    )
    geojson_precision: int = Field(
        default=9,
        ge=4,
        le=15,
        description=(
            "Decimal places of full-detail coordinates (9 keeps published boundaries "
            "exactly; some rings self-intersect when rounded to 6-8)."
        ),
    )
    tile_url: str | None = Field(
        default=None,
        description=(
            "A base-map tile URL template ({z}/{x}/{y}) on your own network; unset, the map "
            "draws area outlines and names only (it loads nothing from the internet)."
        ),
    )
    tile_attribution: str = Field(default="", description="Attribution shown for tile_url.")
    partnership_name: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "The partnership's name, as the web page's single sign-on button says it "
            "(Sign in with NAME single sign-on); unset, the button leaves it out."
        ),
    )
    gap_groups: Literal[5, 10] = Field(
        default=5,
        description=(
            "The gap view (/api/gaps) compares the city's most deprived fifth (5) or tenth "
            "(10) of areas, by the city's own IMD ranking, with the rest, unless asked "
            "otherwise."
        ),
    )
    map_tiles_above: int = Field(
        default=5000,
        ge=0,
        description=(
            "The web map draws an area type from its vector tiles (/tiles) when it has more "
            "areas than this, and from GeoJSON fetched once otherwise."
        ),
    )
    analysis_after_upload: bool = Field(
        default=True,
        description="Run the analysis in the background after each upload that changes data.",
    )
    read_cache_entries: int = Field(
        default=64,
        ge=0,
        description=(
            "Expensive reads (a map's classification, an indicator layer's comparison and "
            "alerts, the public's suppression masks) kept while the data is unchanged, for "
            "each audience (the public, each agency's partners, administrators); 0 turns "
            "the cache off."
        ),
    )
    analysis_quiet_s: float = Field(
        default=2.0,
        ge=0,
        description="Seconds without uploads before a background analysis starts.",
    )
    analysis_workers: int = Field(
        default=1,
        ge=0,
        le=16,
        description=(
            "Analysis worker processes `nis serve` starts beside the web server; 0 when "
            "they run elsewhere (`nis worker`)."
        ),
    )
    analysis_worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "CPU niceness an analysis worker gives itself, so that on a small server the "
            "web workers come first."
        ),
    )
    analysis_poll_s: float = Field(
        default=5.0,
        gt=0,
        description=(
            "Seconds between an analysis worker's looks at the queue when no notification "
            "arrives (after a lost connection, or a run another worker left unfinished)."
        ),
    )
    local_sign_in: bool | None = Field(
        default=None,
        description=(
            "Whether officers may sign in with local accounts (`nis user create`); unset: "
            "when no single sign-on is configured (NIS_OIDC_ISSUER)."
        ),
    )
    session_idle_minutes: float = Field(
        default=30,
        gt=0,
        description="A signed-in officer's session ends after this many minutes unused.",
    )
    session_hours: float = Field(
        default=10,
        gt=0,
        description="A session ends this many hours after signing in, however busy.",
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        default="auto",
        description=(
            "Whether the session cookie is Secure (sent over HTTPS only): auto when the "
            "request came over HTTPS (behind a proxy, run uvicorn with --proxy-headers)."
        ),
    )
    throttle_window_s: float = Field(
        default=300,
        gt=0,
        description=(
            "Window over which failed sign-ins and bad keys are counted, per address and "
            "per account name; past a limit, attempts get 429 until the window ends."
        ),
    )
    throttle_address_failures: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins and bad keys one address may make in a window.",
    )
    throttle_account_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins one account name may have in a window.",
    )
    analysis_q: float = Field(
        default=0.05, gt=0, lt=1, description="False discovery rate of the analysis runs."
    )
    analysis_area_types: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Area types the analysis tests, comma-separated (NIS_ANALYSIS_AREA_TYPES="
            "lsoa,ward), each with its own false discovery rate; unset or empty: the type "
            "with the most areas and the first of ward, neighbourhood, msoa that the city has."
        ),
    )
    oidc_issuer: str | None = Field(
        default=None,
        description=(
            "The OpenID Connect issuer of the partnership's identity provider (its "
            "/.well-known/openid-configuration is read from there), exactly as the provider "
            "names itself; https, or http on loopback only. Officers sign in with it when "
            "this and oidc_client_id are set."
        ),
    )
    oidc_client_id: str | None = Field(
        default=None, description="NIS's client id at the identity provider."
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="NIS's client secret at the identity provider."
    )
    oidc_client_auth_method: Literal["client_secret_basic", "client_secret_post"] = Field(
        default="client_secret_basic",
        description=(
            "How NIS presents its client secret at the token endpoint, as registered with "
            "the identity provider."
        ),
    )
    oidc_scopes: str = Field(
        default="openid profile email groups",
        description="Scopes NIS asks for, separated by spaces (openid among them).",
    )
    oidc_groups_claim: str = Field(
        default="groups",
        min_length=1,
        description=(
            "The claim (in the ID token or from userinfo) that lists a person's groups; "
            "their NIS role and agency come from these groups."
        ),
    )
    oidc_group_prefix: str = Field(
        default="nis-",
        description=(
            "Prefix of the groups that give NIS roles: PREFIX + officer, analyst or admin, "
            "optionally followed by :AGENCY (an analyst's group must name one); other "
            "groups are ignored."
        ),
    )

    smtp_host: str | None = Field(
        default=None,
        description="The SMTP server notifications are e-mailed through; unset: no e-mail.",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="The SMTP server's port.")
    smtp_sender: str = Field(
        default="nis@localhost", description="The From address of NIS's e-mails."
    )
    smtp_username: str | None = Field(
        default=None, description="NIS's user name at the SMTP server; unset: no AUTH."
    )
    smtp_password: SecretStr | None = Field(
        default=None, description="NIS's password at the SMTP server."
    )
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none",
        description=(
            "How the connection to the SMTP server is protected: none, STARTTLS (usually "
            "port 587) or TLS from the start (usually port 465); the certificate is checked."
        ),
    )

    @field_validator("analysis_area_types", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(t.strip() for t in value.split(",") if t.strip())
        return value

    @model_validator(mode="after")
    def _single_sign_on(self) -> Settings:
        if (self.oidc_issuer is None) != (self.oidc_client_id is None):
            raise ValueError(
                "set both oidc_issuer and oidc_client_id for single sign-on, or neither"
            )
        if self.oidc_issuer is not None:
            parts = urlsplit(self.oidc_issuer)
            if parts.scheme != "https" and not (
                parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
            ):
                raise ValueError(
                    f"oidc_issuer {self.oidc_issuer!r} must be an https URL "
                    "(plain http only for a provider on this machine's loopback)"
                )
            if self.oidc_client_secret is None:
                raise ValueError("oidc_client_secret is needed with oidc_issuer")
            if "openid" not in self.oidc_scopes.split():
                raise ValueError("oidc_scopes must include openid")
        return self

    @property
    def sso_configured(self) -> bool:
        """Whether officers sign in through the identity provider."""
        return self.oidc_issuer is not None and self.oidc_client_id is not None


def local_sign_in(settings: Settings) -> bool:
    """Whether local accounts may sign in: as set, else when there is no single sign-on."""
    if settings.local_sign_in is not None:
        return settings.local_sign_in
    return not settings.sso_configured


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
