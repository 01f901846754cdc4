"""Request context: a short reference per request (shown on error pages and in logs) and the
client IP, so that services can write audit events without receiving the request."""

import contextvars
import logging
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    reference: str
    ip: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "mdna_request", default=None
)


def current_request_context() -> RequestContext | None:
    return _current.get()


def client_ip(request) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def new_reference() -> str:
    return secrets.token_hex(4).upper()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(reference=new_reference(), ip=client_ip(request))
        request.reference = context.reference
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-Reference"] = context.reference
        return response


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.reference = context.reference if context else "-"
        return True
