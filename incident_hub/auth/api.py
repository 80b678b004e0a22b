"""JSON API routes for your API tokens (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body as sent_body
from ..api.http import listing
from ..api.spec import operation
from ..schemas import parse
from . import outputs as out
from . import tokens
from .inputs import NewToken, TokenFilters
from .serialize import token_to_dict

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
