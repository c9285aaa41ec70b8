"""Request bodies: `format=` through DRF renderers, `content_type=` as given."""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.http import urlencode
from rest_framework.settings import api_settings

__all__ = ["default_format", "encode_body", "renderer_classes"]

_JSON_TYPES = ("application/json", "+json")
_FORM_TYPE = "application/x-www-form-urlencoded"


def renderer_classes() -> dict[str, Any]:
    """The test renderers by format name, from `TEST_REQUEST_RENDERER_CLASSES`."""
    classes: list[Any] = list(api_settings.TEST_REQUEST_RENDERER_CLASSES)
    return {cls.format: cls for cls in classes}


def default_format() -> str:
    """`"json"`, unless the project sets `TEST_REQUEST_DEFAULT_FORMAT` itself.

    DRF's own default is `"multipart"`; an async API test almost always wants JSON,
    so we only follow the setting when a project wrote it down.
    """
    configured = getattr(settings, "REST_FRAMEWORK", {}) or {}
    return configured.get("TEST_REQUEST_DEFAULT_FORMAT", "json")


def encode_body(
    data: Any, format: str | None = None, content_type: str | None = None, *,
    json_encoder: type[json.JSONEncoder] = DjangoJSONEncoder,
) -> tuple[bytes, str | None]:
    """Return `(body, content_type)` for a request with `data`.

    `data=None` means no body and no content type. Data that holds a file is
    rendered as multipart unless a format is given (DRF's own default format is
    multipart, so upload tests ported from DRF leave `format` out).
    """
    if format is not None and content_type is not None:
        # The documented contract (as in DRF) is an AssertionError; raised explicitly
        # so that it still fires under `python -O`.
        raise AssertionError(
            "You may not set both `format` and `content_type`: use `format=` to render "
            "`data` with a DRF renderer, or `content_type=` to send `data` as it is."
        )
    if data is None:
        return b"", None
    if content_type is not None:
        return _encode_raw(data, content_type, json_encoder), content_type
    file_key = _file_key(data)
    if format is None:
        format = "multipart" if file_key is not None else default_format()
    elif file_key is not None and format != "multipart":
        raise ValueError(
            f"`data` holds a file under {file_key!r}, which `format={format!r}` cannot "
            "send: use `format='multipart'` (or leave `format` out, and a body with "
            "files is sent as multipart)."
        )
    return _render(data, format)


def _is_file(value: Any) -> bool:
    # What Django's multipart encoder treats as a file.
    return callable(getattr(value, "read", None))


def _file_key(data: Any) -> Any:
    """The first key of `data` whose value is (or lists) a file, else `None`."""
    if not isinstance(data, Mapping):
        return None
    for key, value in data.items():
        items = value if isinstance(value, (list, tuple)) else (value,)
        if any(_is_file(item) for item in items):
            return key
    return None


def _encode_raw(data: Any, content_type: str, json_encoder: type[json.JSONEncoder]) -> bytes:
    media_type = content_type.split(";")[0].strip().lower()
    if isinstance(data, (dict, list, tuple)) and media_type.endswith(_JSON_TYPES):
        return json.dumps(data, cls=json_encoder).encode(settings.DEFAULT_CHARSET)
    if isinstance(data, Mapping) and media_type == _FORM_TYPE:
        return urlencode(data, doseq=True).encode(settings.DEFAULT_CHARSET)
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode(settings.DEFAULT_CHARSET)
    raise TypeError(
        f"`content_type={content_type!r}` sends `data` as it is, so it must be bytes or "
        f"str, not {type(data).__name__}. Pass `format=` instead to have a DRF renderer "
        "encode it, or encode it yourself."
    )


def _render(data: Any, format: str) -> tuple[bytes, str]:
    renderers = renderer_classes()
    if format not in renderers:
        available = ", ".join(repr(name) for name in renderers) or "none"
        close = difflib.get_close_matches(format, list(renderers), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown request format {format!r}. Available formats: {available}.{hint} "
            "Add renderer classes to REST_FRAMEWORK['TEST_REQUEST_RENDERER_CLASSES'] "
            "to enable more formats."
        )
    renderer = renderers[format]()
    if format == "multipart":
        _check_multipart(data)
    try:
        rendered = renderer.render(data)
    except Exception as exc:  # any renderer failure gets the same explanation
        raise ValueError(
            f"The {format!r} renderer ({type(renderer).__name__}) cannot encode this "
            f"data: {exc}. Convert the values to types it can render, or send "
            "pre-encoded bytes with `content_type=`."
        ) from exc
    media_type = renderer.media_type
    if renderer.charset:
        media_type = f"{media_type}; charset={renderer.charset}"
    if isinstance(rendered, str):
        rendered = rendered.encode(renderer.charset or settings.DEFAULT_CHARSET)
    return rendered, media_type


def _check_multipart(data: Any) -> None:
    """Multipart carries flat fields: catch what Django's encoder would mangle."""
    if not isinstance(data, Mapping):
        raise ValueError(
            f"`format='multipart'` needs a dict of fields, not {type(data).__name__}. "
            "Use `format='json'` to send lists or other values."
        )
    for key, value in data.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, (Mapping, list, tuple, set)):
                raise ValueError(
                    f"`format='multipart'` cannot encode the nested "
                    f"{type(item).__name__} under {key!r}: multipart fields are flat "
                    "strings or files (a list becomes repeated fields). Use "
                    "`format='json'` or flatten the field."
                )
            if item is None:
                raise ValueError(
                    f"`format='multipart'` cannot encode None under {key!r}: leave the "
                    "field out, or send an empty string."
                )
            if isinstance(item, (io.IOBase, File)) and not getattr(item, "name", None):
                raise ValueError(
                    f"The file object under {key!r} has no `name`; multipart needs one "
                    "for the filename: set `obj.name = 'upload.bin'`."
                )
