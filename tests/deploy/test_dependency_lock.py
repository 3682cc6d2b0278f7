"""Every dependency, transitive ones included, is pinned in the lock files, and what installs the project
(make install, the image) installs from them; this environment is exactly what they pin."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)$")


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        if not line or line.startswith(("#", "-r ")):
            continue
        match = PIN.match(line)
        assert match, f"{name}: {line!r} is not an exact pin"
        found[canonicalize_name(match[1])] = match[2]
    return found


def test_every_installed_distribution_is_pinned_at_the_installed_version() -> None:
    locked = {**pins("requirements.lock"), **pins("requirements-dev.lock")}
    assert not set(pins("requirements.lock")) & set(pins("requirements-dev.lock")), "each pin lives in one file"
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    installed.pop("claimline", None)
    installed.pop("pip", None)
    assert {name: version for name, version in installed.items() if locked.get(name) != version} == {}


def test_the_runtime_lock_holds_every_runtime_dependency_at_its_pyproject_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = pins("requirements.lock")
    for requirement in map(Requirement, project["dependencies"]):
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{name} is not in requirements.lock"
        assert requirement.specifier.contains(runtime[name]), f"{name} {runtime[name]} is not {requirement.specifier}"
    dev = pins("requirements-dev.lock")
    for requirement in map(Requirement, project["optional-dependencies"]["dev"]):
        name = canonicalize_name(requirement.name)
        version = runtime.get(name) or dev.get(name)  # medspacy needs pytest at run time, so it is in the runtime lock
        assert version and requirement.specifier.contains(version), f"{name} is not pinned as pyproject says"


def test_make_install_and_the_image_install_from_the_lock_without_resolving_again() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -r requirements-dev.lock" in makefile and '--no-deps -e ".[dev]"' in makefile
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "-r requirements.lock" in dockerfile and "--no-deps --prefix=/install ." in dockerfile
    assert all("@sha256:" in line for line in dockerfile.splitlines() if line.startswith("FROM "))
