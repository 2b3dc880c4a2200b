"""CSV exports of whole listings, streamed by the server with the user's rights applied."""

from __future__ import annotations

from flask import Flask, Response, abort, request, stream_with_context

from dashboard.auth import audit
from dashboard.listings import LISTINGS, BadExportQuery, csv_lines, parse_export_query
from dashboard.services import AppState, context_from_search


def init_exports(server: Flask, state: AppState) -> None:
    """`/export/<listing>.csv?<view>&filter=...&sort=...`: the filtered listing as CSV."""

    @server.route("/export/<name>.csv")
    def export(name: str) -> Response:
        listing = LISTINGS.get(name)
        if listing is None:
            abort(404)
        args = request.args
        view = "&".join(
            f"{k}={v}" for k, v in args.items(multi=True) if k not in ("filter", "sort")
        )
        ctx = context_from_search(state, "?" + view)
        if not ctx.identifiers or not ctx.scope.centers:
            abort(403)
        try:
            raw = parse_export_query(args.get("filter"), args.get("sort"), listing)
        except BadExportQuery as exc:
            return Response(f"malformed export query: {exc}", status=400, mimetype="text/plain")
        audit(
            "csv_export",
            {
                "listing": name,
                "centers": list(ctx.scope.centers),
                "as_of": str(ctx.scope.as_of),
                "filter": (args.get("filter") or "")[:500],
            },
        )
        body = stream_with_context(csv_lines(listing, raw, ctx))
        return Response(
            body,
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{listing.csv_name}"',
                "Cache-Control": "no-store",
            },
        )
