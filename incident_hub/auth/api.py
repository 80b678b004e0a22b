"""JSON API routes for your API tokens and your own account (registered on the /api/v1
blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body as sent_body
from ..api.http import listing
from ..api.spec import operation
from ..schemas import parse
from . import outputs as out
from . import service, tokens
from .inputs import MeChange, NewToken, TokenFilters
from .serialize import me_to_dict, token_to_dict

TAG = "tokens"


@bp.get("/tokens")
@operation(out.TokenList, query=TokenFilters, errors=(403, 404), tag=TAG)
def list_tokens():  # noqa: ANN201
    """Your API tokens, newest first, revoked and expired ones too

    Admins: ``user`` lists someone else's, ``all=true`` everyone's."""
    args = parse(TokenFilters, request.args.to_dict())
    rows = tokens.all_tokens(g.actor) if args.all else tokens.list_tokens(g.actor, args.user)
    page = rows[args.offset : args.offset + args.limit]
    return listing([token_to_dict(t) for t in page], len(rows))


@bp.post("/tokens")
@operation(out.IssuedToken, status=201, body=NewToken, errors=(400, 403, 404, 409), tag=TAG)
def create_token():  # noqa: ANN201
    """Create an API token (for yourself; admins: for ``user``)

    It lasts ``days`` ([AUTH] API_TOKEN_DAYS by default); the answer's ``token`` is shown
    this once. 409: one of the owner's live tokens already has that name."""
    row, token = tokens.create_token(g.actor, sent_body())
    response = jsonify(token_to_dict(row) | {"token": token})
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tokens/{row.id}"
    return response


@bp.delete("/tokens/<token_id>")
@operation(out.Token, errors=(403, 404), tag=TAG)
def revoke_token(token_id: str):  # noqa: ANN201
    """Revoke one of your tokens by id or name (admins: anyone's, by id)

    Revoking a revoked token changes nothing. 404: no such token, or not yours."""
    return jsonify(token_to_dict(tokens.revoke_token(g.actor, token_id)))


@bp.get("/me")
@operation(out.Me, tag="account")
def get_me():  # noqa: ANN201
    """You: email, name, roles, led functions and the time zone of your reminders"""
    return jsonify(me_to_dict(g.actor.require_user()))


@bp.patch("/me")
@operation(out.Me, body=MeChange, errors=(400,), tag="account")
def update_me():  # noqa: ANN201
    """Set your own time zone for reminders and how your notices reach you

    ``timezone``: an IANA name (null: [REMINDERS] TIMEZONE); reminders reach you within
    working hours there. ``notify_by``: ``slack``, ``email`` or ``both``. A field not sent
    stays as it is. 422: not a known time zone, or not one of the three."""
    data = sent_body()
    parse(MeChange, data)  # both checked before either changes
    user = g.actor.require_user()
    if "timezone" in data:
        user = service.set_timezone(g.actor, {"timezone": data["timezone"]})
    if "notify_by" in data:
        user = service.set_notify_by(g.actor, {"notify_by": data["notify_by"]})
    return jsonify(me_to_dict(user))
