"""Requests no page or API could answer, refused before any view reads them."""

from django.http import HttpResponseBadRequest, JsonResponse

NUL_REFUSED = "Null characters are not allowed in an address or its parameters."


class NulRefusalMiddleware:
    """A NUL character (``%00``) in the path or the query string is a 400.

    PostgreSQL's text cannot hold one, so a code read from the address (an NPU, an indicator, an
    operation) and looked up as typed would fail in the database rather than be "not found". Forms,
    serializers and filters already refuse NULs in what they read; this covers every parameter a
    view reads by hand, and every path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key + "".join(values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
