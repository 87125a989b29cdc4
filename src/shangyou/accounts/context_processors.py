def actor(request):
    return {
        "actor": getattr(request, "actor", None),
        # The signed-in user's companies, read once by the middleware (the company switcher).
        "user_memberships": getattr(request, "user_memberships", ()),
    }
