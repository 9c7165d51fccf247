"""Read settings from the environment, keeping a register of every setting with its help text.

The register (`SETTINGS`) is what `docs/settings.md` documents; a test fails when a setting is
registered here but missing from the docs, so the two cannot drift apart.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    """A setting has a value we cannot use. The message names the setting and how to fix it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str, help: str) -> str:
    SETTINGS[name] = Setting(name, default, help)
    return os.environ.get(name, default)


def env_bool(name: str, default: bool, help: str) -> bool:
    SETTINGS[name] = Setting(name, "true" if default else "false", help)
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false (1/0, yes/no), got {raw!r}")


def env_int(name: str, default: int, help: str, *, minimum: int = 0) -> int:
    SETTINGS[name] = Setting(name, str(default), help)
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str], help: str) -> list[str]:
    SETTINGS[name] = Setting(name, ",".join(default), help)
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_custom(name: str, default: str, help: str, parse: Callable[[str], Any]) -> Any:
    SETTINGS[name] = Setting(name, default, help)
    return parse(os.environ.get(name, default))


def env_networks(name: str, help: str) -> tuple[Network, ...]:
    """Comma-separated IP addresses or networks ("10.0.0.5, 10.1.0.0/16, ::1"); unset: none."""
    SETTINGS[name] = Setting(name, "", help)
    networks = []
    for item in os.environ.get(name, "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(networks)
