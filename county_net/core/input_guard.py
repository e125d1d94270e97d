"""The door every request passes before any work is done (before the user is loaded or a row is read):
text the database cannot store and JSON the parser cannot survive are refused with a 400 naming the field.

* NUL characters: PostgreSQL cannot store them in text.
* Lone surrogates (a JSON "\\ud800" escape, or raw surrogate bytes that Python's JSON reader lets through):
  they are not Unicode text, and the database driver fails to encode them.
* Deep nesting: the JSON reader and every schema walk recurse, so a body nested 100,000 levels deep raises
  RecursionError. The depth is counted by a flat scan before anything parses the body."""
from __future__ import annotations

import json
import re

from flask import current_app, request

from county_net.core.errors import InvalidInput

MAX_JSON_DEPTH = 32  # our deepest real body (a matter's petitioners) is 3 levels
BODY = "_body"
# One JSON string literal (escapes included), or one bracket. Strings are matched whole so that a bracket
# inside a string is not counted.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "包含不允许的控制字符"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "包含无效的字符编码（孤立的代理字符）"
    return None


def _scan(value, path: str, found: dict) -> None:
    """Depth is already bounded when this runs, so plain recursion is safe."""
    if isinstance(value, str):
        problem = _problem(value)
        if problem:
            found.setdefault(path or BODY, [problem])
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            problem = _problem(str(key))
            if problem:
                found.setdefault(path or BODY, ["字段名" + problem])
                continue
            _scan(item, name, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _scan(item, f"{path}.{index}" if path else str(index), found)


def json_depth_exceeds(text: str, limit: int) -> bool:
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def check_json_body() -> None:
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        text = raw.decode("utf-8")  # strict: JSON is UTF-8 (RFC 8259), and surrogate bytes are refused here
    except UnicodeDecodeError:
        raise InvalidInput("请求内容不是有效的 UTF-8 编码", fields={BODY: ["请求内容不是有效的 UTF-8 编码"]})
    limit = current_app.config.get("MAX_JSON_DEPTH", MAX_JSON_DEPTH)
    if json_depth_exceeds(text, limit):
        raise InvalidInput("JSON 嵌套层数过多", fields={BODY: [f"JSON 嵌套不能超过 {limit} 层"]})
    try:
        value = json.loads(text)
    except ValueError:
        return  # malformed JSON: the API's own parser answers it with its usual 400
    found: dict = {}
    _scan(value, "", found)
    if found:
        raise InvalidInput(fields=found)


def check_fields(source) -> None:
    """Query strings and form fields (Werkzeug decodes them leniently, but a NUL still gets through)."""
    found: dict = {}
    for key, values in source.lists():
        key_problem = _problem(key)
        problem = key_problem or next(filter(None, map(_problem, values)), None)
        if problem:
            found.setdefault(BODY if key_problem else key, [problem])
    if found:
        raise InvalidInput(fields=found)


def is_json_request() -> bool:
    return request.mimetype == "application/json" or request.mimetype.endswith("+json")


def init_app(app) -> None:
    """Registered before every other before-request hook, so it runs first."""

    @app.before_request
    def _guard_input():
        check_fields(request.args)
        if is_json_request():
            check_json_body()
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            check_fields(request.form)
