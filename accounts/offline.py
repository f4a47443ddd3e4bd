"""The pages a coordinator may need without network, marked for the service worker (``/sw.js``)
to keep a copy of each time they are opened online. The server says which: a list of addresses in
the worker would drift from the views."""

from functools import wraps

# Read by static/js/sw.js: a page answered with it is kept for offline use.
HEADER = "X-Offline"


def keep_offline(view):
    """The page, when it answers 200 to a GET, may be kept on the phone for offline use."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            response[HEADER] = "keep"
        return response

    return wrapper
