"""Typed inputs at the service boundary: pydantic models, and the field types they share.

Every door (web form, API, Slack, CLI) builds a service's input with :func:`parse`, so a bad
value gets the same answer whatever the door: :class:`~incident_hub.errors.Invalid` (422) with
the field and one message in the project's words ("title is required", "title is too long
(201 > 200 characters)"). The same models generate the OpenAPI document (``api/spec.py``), so
what the server checks and what it documents cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from . import countries
from .errors import BadRequest, Invalid
from .vocabulary import status_label
from .wording import field_label, key_words

M = TypeVar("M", bound=BaseModel)


class Input(BaseModel):
    """A service input: unknown keys are ignored (clients may send more), strings stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


def _storable(value: str) -> str:
    """Refuse what no database column can hold: NUL (PostgreSQL text refuses it) and lone
    UTF-16 surrogates (JSON can carry them; UTF-8 cannot)."""
    if "\x00" in value:
        raise PydanticCustomError("nul", "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("surrogate", "is not valid Unicode text") from None
    return value


def http_url(url: str) -> str:
    """An http:// or https:// address with a host and no spaces or control characters (links
    people follow from a page: a source, a website); "" stays "" (no link)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    else:
        if parts.scheme.lower() not in ("http", "https"):
            host = None
    if not host or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise PydanticCustomError("url", "must be an http:// or https:// address")
    return url


def WebLink(max_len: int) -> Any:  # noqa: N802 - a type factory, used like a type
    """An optional http(s) link (:func:`http_url`); None and blanks become ""."""
    return Annotated[Text(max_len), AfterValidator(http_url)]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_blank_is_none)  # Annotated[X | None, Blank]: a form's "" is no value


def _none_is_empty(value: Any) -> Any:
    return "" if value is None else value


def Text(max_len: int) -> Any:  # noqa: N802 - a type factory, used like a type
    """Optional free text: None and blanks become ""."""
    return Annotated[
        str,
        BeforeValidator(_none_is_empty),
        Field(max_length=max_len, strict=True),
        AfterValidator(_storable),
    ]


def Required(max_len: int) -> Any:  # noqa: N802
    """Free text that must not be blank."""
    return Annotated[
        str, Field(min_length=1, max_length=max_len, strict=True), AfterValidator(_storable)
    ]


def _flag(value: Any) -> Any:
    if value is None or value == "":
        return False
    if isinstance(value, str):
        low = value.strip().lower()
        if low in {"true", "1", "yes", "on", "y"}:
            return True
        if low in {"false", "0", "no", "off", "n"}:
            return False
        raise PydanticCustomError("flag", "must be true or false")
    return value


Flag = Annotated[bool, BeforeValidator(_flag), Field(strict=True)]


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true is not the number 1
        raise PydanticCustomError("int_type", "must be a whole number")
    return value


Whole = Annotated[int, BeforeValidator(_not_bool)]  # a whole number; a form's "15" too


def country_code(value: Any) -> Any:
    """A jurisdiction's code from its code or name (see :mod:`.countries`); refused, naming
    what was typed, when it names no ISO 3166 country (nor the EU)."""
    if isinstance(value, str) and value.strip():
        code = countries.resolve(value)
        if code is None:
            raise PydanticCustomError(
                "jurisdiction",
                "{typed} is not an ISO 3166 country or EU: give a code like DE or a name "
                "like Germany",
                {"typed": _quoted(value)},
            )
        return code
    return value


def _quoted(value: str, max_len: int = 40) -> str:
    """What someone typed, quoted for a message (printable, cut to length)."""
    cleaned = "".join(ch for ch in value.strip() if ch.isprintable())
    return f"“{cleaned[:max_len]}{'…' if len(cleaned) > max_len else ''}”"


Jurisdiction = Annotated[
    str,
    BeforeValidator(country_code),
    Field(
        min_length=1,
        strict=True,
        description="ISO 3166-1 alpha-2 code or EU (an English country name is also "
        "accepted, and stored as its code)",
    ),
]


def _date(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PydanticCustomError("date", "must be a date like 2026-03-01") from None


OptionalDate = Annotated[date | None, BeforeValidator(_date)]


def _moment(value: Any) -> Any:
    """ISO date or date-time; a bare date means the end of that day UTC, a naive time UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        raw = str(value).strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise PydanticCustomError("moment", "must be an ISO 8601 date or time") from None
        if len(raw) == 10:
            parsed = datetime.combine(parsed.date(), time(23, 59))
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last representable moment
        raise PydanticCustomError("moment", "is out of range") from None


OptionalMoment = Annotated[
    datetime | None, BeforeValidator(_moment), Field(json_schema_extra={"format": "date-time"})
]


def OneOf(values: tuple[str, ...] | list[str], description: str | None = None) -> Any:  # noqa: N802
    """One of ``values`` (a vocabulary defined once elsewhere), documented as an enum."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "choice", "must be one of: {known}", {"known": ", ".join(allowed)}
            )
        return value

    return Annotated[
        str,
        Field(strict=True, json_schema_extra={"enum": list(allowed)}, description=description),
        AfterValidator(check),
    ]


class Shape(BaseModel):
    """An answer's documented shape; a newer server may add keys."""

    model_config = ConfigDict(extra="allow")


MAX_OFFSET = 2**31 - 1  # fits every database's OFFSET; no list gets anywhere near it


class Page(Input):
    """Which page of a list: ``limit`` items from ``offset``."""

    limit: int = Field(100, ge=1, le=10_000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class Changes(Input):
    """A partial change (PATCH): only the fields sent change. A field's ``None`` default
    means "not sent" (it is never validated); a ``null`` sent is validated like any value.
    :meth:`given` gives what was sent."""

    model_config = ConfigDict(json_schema_extra=_no_null_defaults)

    def given(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.model_fields_set}


def required_in_document(*keys: str) -> Callable[[dict[str, Any]], None]:
    """A model's ``json_schema_extra`` for fields that default to None only so that the
    service can say in words what is missing: documented as required, and not null."""

    def fix(schema: dict[str, Any]) -> None:
        for key in keys:
            prop = schema["properties"][key]
            prop.pop("default", None)
            if "anyOf" in prop:
                prop["anyOf"] = [s for s in prop["anyOf"] if s != {"type": "null"}]
                if len(prop["anyOf"]) == 1:
                    prop.update(prop.pop("anyOf")[0])
            schema.setdefault("required", []).append(key)

    return fix


def _phrase(error: dict[str, Any]) -> str:
    """One pydantic error in the words the project has always used."""
    kind, ctx = error["type"], error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "is required"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        # too_long: a Text(), whose BeforeValidator makes pydantic check the length after it
        return f"is too long ({len(value or '')} > {ctx['max_length']} characters)"
    if kind in {"string_type", "string_sub_type"}:
        return "must be a string"
    if kind in {"bool_type", "bool_parsing"}:
        return "must be true or false"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return "must be a whole number"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        low, high = ctx.get("ge", ctx.get("gt")), ctx.get("le", ctx.get("lt"))
        if low is not None and high is not None:
            return f"must be between {low} and {high}"
        return f"must be at least {low}" if low is not None else f"must be at most {high}"
    if kind in {"literal_error", "enum"}:
        return f"must be one of: {ctx.get('expected', '').replace(' or ', ', ')}".replace("'", "")
    if kind == "string_pattern_mismatch":
        return "has the wrong format"
    if kind in {"dict_type", "model_type"}:
        return "must be an object"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entries"
    if kind == "list_type":
        return "must be a list"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} entries (at most {ctx.get('max_length')})"
    return str(error["msg"])  # our own PydanticCustomError phrases, and any other


def _phrase_for_people(error: dict[str, Any]) -> str:
    """The same problem for the web UI, where people type dates and pick from lists."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "moment":
        return "must be a date like 2026-12-31"
    if kind == "choice":
        known = [status_label(k) for k in str(ctx.get("known", "")).split(", ") if k]
        return f"must be one of: {', '.join(key_words(k) for k in known)}"
    if kind in {"literal_error", "enum"}:
        return "must be one of the choices offered"
    return _phrase(error)


def invalid(exc: ValidationError) -> Invalid:
    """The first problem of a pydantic error as the project's 422: the API's message names
    the field, the web's (``Invalid.web``) labels it as the form does."""
    error: dict[str, Any] = dict(exc.errors(include_url=False)[0])
    field = ".".join(str(part) for part in error["loc"]) or "body"
    web = f"{field_label(field)} {_phrase_for_people(error)}"
    return Invalid(f"{field} {_phrase(error)}", field=field, web=web)


def parse(model: type[M], data: Any) -> M:
    """``data`` (a JSON object, a form, CLI options as a dict) as a ``model``, or Invalid/400."""
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object with Content-Type: application/json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None
