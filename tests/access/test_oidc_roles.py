"""A person's NIS role and agency from their groups at the identity provider, and the
single sign-on settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.access.oidc import OidcConfig, role_from_groups
from app.errors import PermissionDeniedError
from app.settings import Settings


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ([], None),
        (["staff", "nis-viewers", "other-admin"], None),  # no NIS role among them
        (["nis-officer"], ("officer", None)),
        (["nis-officer:police"], ("officer", "police")),
        (["nis-admin"], ("admin", None)),
        (["nis-analyst:health"], ("analyst", "health")),
        (["nis-analyst"], None),  # an analyst acts for an agency
        (["nis-analyst", "nis-officer:fire"], ("officer", "fire")),
        (["nis-officer:police", "nis-analyst:health"], ("analyst", "health")),
        (["nis-analyst:health", "nis-admin"], ("admin", None)),
        (["nis-officer", "nis-officer:police"], ("officer", "police")),  # the agency says more
        (["NIS-Officer:Police"], ("officer", "police")),  # agencies are lower-case names
        (["nis-officer:"], None),  # a colon without an agency
        (["nis-superuser", "nis-admin2"], None),  # not a role
        (["xnis-admin", "admin"], None),  # prefix missing
    ],
)
def test_groups_give_the_highest_role(
    groups: list[str], role: tuple[str, str | None] | None
) -> None:
    assert role_from_groups(groups) == role


def test_the_prefix_is_configurable() -> None:
    assert role_from_groups(["app:nis:analyst:police", "nis-admin"], "app:nis:") == (
        "analyst",
        "police",
    )


def test_the_winning_role_for_two_agencies_is_refused() -> None:
    with pytest.raises(PermissionDeniedError, match=r"fire and police"):
        role_from_groups(["nis-analyst:police", "nis-analyst:fire"])


def test_two_agencies_below_the_winning_role_do_not_matter() -> None:
    assert role_from_groups(["nis-officer:police", "nis-officer:fire", "nis-admin"]) == (
        "admin",
        None,
    )


def test_sso_is_off_until_issuer_and_client_are_set() -> None:
    assert OidcConfig.from_settings(Settings()) is None
    config = OidcConfig.from_settings(
        Settings(
            oidc_issuer="https://idp.example",
            oidc_client_id="nis",
            oidc_client_secret="s3cret",
            oidc_groups_claim="roles",
            oidc_group_prefix="app-nis-",
        )
    )
    assert config is not None
    assert (config.issuer, config.client_id, config.groups_claim, config.group_prefix) == (
        "https://idp.example",
        "nis",
        "roles",
        "app-nis-",
    )
    assert "s3cret" not in repr(config)
    assert config.client_secret.get_secret_value() == "s3cret"


@pytest.mark.parametrize(
    "fields",
    [
        {"oidc_issuer": "https://idp.example"},  # no client id
        {"oidc_client_id": "nis", "oidc_client_secret": "s"},  # no issuer
        {"oidc_issuer": "http://idp.example", "oidc_client_id": "nis", "oidc_client_secret": "s"},
        {"oidc_issuer": "https://idp.example", "oidc_client_id": "nis"},  # no secret
        {
            "oidc_issuer": "https://idp.example",
            "oidc_client_id": "nis",
            "oidc_client_secret": "s",
            "oidc_scopes": "profile email",
        },
    ],
)
def test_incomplete_or_unsafe_sso_settings_are_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(**fields)


def test_a_provider_on_loopback_may_use_http() -> None:
    settings = Settings(
        oidc_issuer="http://127.0.0.1:9000",
        oidc_client_id="nis",
        oidc_client_secret="s",
    )
    assert settings.sso_configured
