"""What the echo endpoints report about the request they received."""

from typing import Any

from rest_framework.request import Request


def describe(request: Request, user: Any) -> dict[str, Any]:
    meta = request.META
    headers = {
        key: value
        for key, value in meta.items()
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")
    }
    data = request.data
    if hasattr(data, "lists"):  # QueryDict: keep repeated fields
        data = {key: values if len(values) > 1 else values[0] for key, values in data.lists()}
    return {
        "method": request.method,
        "path": request.path,
        "query": {key: request.query_params.getlist(key) for key in request.query_params},
        "headers": headers,
        "host": request.get_host(),
        "scheme": request.scheme,
        "remote_addr": meta.get("REMOTE_ADDR"),
        "server": [meta.get("SERVER_NAME"), meta.get("SERVER_PORT")],
        "remote_user": meta.get("REMOTE_USER"),
        "data": data,
        "files": {name: f.size for name, f in request.FILES.items()},
        "user": user.username if user.is_authenticated else None,
        "auth": str(request.auth) if request.auth is not None else None,
    }
