"""Where a schema comes from: a dict, a JSON or YAML file, or drf-spectacular.

Each source is loaded and checked once per process; clients share the result.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Literal, Union

from django.core.exceptions import ImproperlyConfigured

from .checking import Contract

__all__ = ["SPECTACULAR", "SchemaSource", "contract_for", "load_contract"]

SchemaSource = Union[dict[str, Any], str, "os.PathLike[str]"]
SPECTACULAR = "drf-spectacular"
EXTRA = 'pip install "restflow-test[openapi]"'

# Loaded contracts by source: one per process (per xdist worker). Dicts are keyed
# by identity and kept alive here, so an id is never reused for another dict.
_loaded: dict[Any, tuple[Any, Contract]] = {}
_loading = threading.Lock()
# The project-wide source given on the pytest command line or ini file; the
# `RESTFLOW_TEST_SCHEMA` setting is read when no such source is set.
session_source: SchemaSource | None = None


def _missing(package: str) -> ImportError:
    return ImportError(
        f"Contract testing needs {package}, which is not installed: {EXTRA}."
    )


def _require_openapi_core() -> None:
    try:
        import openapi_core  # noqa: F401
    except ImportError:
        raise _missing("openapi-core") from None


def _spectacular() -> dict[str, Any]:
    try:
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.renderers import OpenApiJsonRenderer
    except ImportError:
        raise _missing("drf-spectacular") from None
    setup = ("set `REST_FRAMEWORK[\"DEFAULT_SCHEMA_CLASS\"] = "
             "\"drf_spectacular.openapi.AutoSchema\"` and add `\"drf_spectacular\"` to "
             "`INSTALLED_APPS`.")
    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
    except AssertionError as exc:  # drf-spectacular's way of refusing a view
        raise ImproperlyConfigured(
            f"drf-spectacular could not generate the schema ({exc}): {setup}") from None
    if not schema.get("paths"):
        raise ImproperlyConfigured(f"drf-spectacular generated no operations: {setup}")
    # Rendered and parsed back: lazy translations and decimals become plain JSON.
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ImproperlyConfigured(
            f"The OpenAPI schema file `{path}` does not exist: pass an existing JSON "
            f"or YAML file, a dict, or `{SPECTACULAR!r}` to generate the project's schema."
        )
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise _missing("PyYAML") from None
        spec = yaml.safe_load(text)
    else:
        try:
            spec = json.loads(text)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"The OpenAPI schema file `{path}` is not valid JSON ({exc}): fix it, "
                "or name a YAML file with a `.yaml` or `.yml` suffix."
            ) from None
    return spec


def _spec_of(source: SchemaSource) -> tuple[dict[str, Any], str]:
    if isinstance(source, dict):
        info: Any = source.get("info")
        info = info if isinstance(info, dict) else {}
        return source, f"the schema dict {info.get('title', '')!r} {info.get('version', '')}"
    if source == SPECTACULAR:
        return _spectacular(), "the drf-spectacular schema"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return _read_file(path), f"`{path}`"
    raise TypeError(
        f"`schema` must be a dict, a path to a JSON or YAML file, or {SPECTACULAR!r}; "
        f"got {type(source).__name__}."
    )


def _key(source: SchemaSource) -> Any:
    if isinstance(source, dict):
        return ("dict", id(source))
    if source == SPECTACULAR:
        return SPECTACULAR
    if isinstance(source, (str, os.PathLike)):
        return ("file", str(Path(source).resolve()))
    return ("other", id(source))


def load_contract(source: SchemaSource) -> Contract:
    """The checked contract for `source`, loaded once per process.

    Raises:
        ImportError: The `openapi` extra is not installed.
        ImproperlyConfigured: A missing or unreadable file, or a document that is
            not a valid OpenAPI 3 schema.
        TypeError: `source` is not a dict, a path or `"drf-spectacular"`.
    """
    _require_openapi_core()
    key = _key(source)
    with _loading:
        if key not in _loaded:
            spec, label = _spec_of(source)
            _loaded[key] = (source, _checked(spec, label))
        return _loaded[key][1]


def _checked(spec: Any, label: str) -> Contract:
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    if not isinstance(spec, dict) or "openapi" not in spec:
        raise ImproperlyConfigured(
            f"{label} is not an OpenAPI 3 document (no top-level `openapi` key): "
            "pass the schema itself, as drf-spectacular or your API framework writes it."
        )
    try:
        return Contract(spec, label)
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise ImproperlyConfigured(
            f"{label} is not a valid OpenAPI document: {exc.message} (at `/{where}`). "
            "Fix the schema; `openapi-spec-validator FILE` shows every problem."
        ) from None


def loaded_contracts() -> list[Contract]:
    """Every contract loaded in this process, in loading order."""
    return [contract for _, contract in _loaded.values()]


def contract_for(schema: SchemaSource | Literal[False] | None) -> Contract | None:
    """The contract a new client validates against, or `None`.

    `schema` given to the client wins; `False` turns validation off. Otherwise the
    pytest option (`--restflow-contract`), then the `RESTFLOW_TEST_SCHEMA` setting.
    """
    if schema is False:
        return None
    if schema is None:
        from django.conf import settings

        schema = session_source or getattr(settings, "RESTFLOW_TEST_SCHEMA", None)
        if schema is None:
            return None
        contract = load_contract(schema)
        contract.project_wide = True
        return contract
    return load_contract(schema)
