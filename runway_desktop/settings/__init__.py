"""User settings of the Qt-free core: folders, connection profiles, secrets, recent values."""

from runway_desktop.base.paths import HOME_ENV_VAR, cache_dir, config_dir, data_dir
from runway_desktop.settings.profiles import (
    PROFILES_FILE_NAME,
    Profile,
    ProfileError,
    ProfilesFileError,
    ProfileStore,
    TokenStyle,
    derive_audience,
)
from runway_desktop.settings.recent import RECENT_FILE_NAME, RecentValues
from runway_desktop.settings.secrets import (
    NO_KEYRING_MESSAGE,
    SESSION_ONLY_MESSAGE,
    SecretStore,
)

__all__ = [
    "HOME_ENV_VAR",
    "NO_KEYRING_MESSAGE",
    "PROFILES_FILE_NAME",
    "RECENT_FILE_NAME",
    "SESSION_ONLY_MESSAGE",
    "Profile",
    "ProfileError",
    "ProfileStore",
    "ProfilesFileError",
    "RecentValues",
    "SecretStore",
    "TokenStyle",
    "cache_dir",
    "config_dir",
    "data_dir",
    "default_profile_store",
    "default_recent_values",
    "derive_audience",
]


def default_profile_store() -> ProfileStore:
    """The profiles file in the user's config folder."""
    return ProfileStore(config_dir() / PROFILES_FILE_NAME)


def default_recent_values() -> RecentValues:
    return RecentValues(config_dir() / RECENT_FILE_NAME)
