def axes_username(request, credentials) -> str | None:
    """Login throttling counts failures per e-mail address, whatever its case."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None
