"""The web app at /app: server-rendered pages over the same services as the API.

Pages are Jinja2 templates (autoescaped), enhanced with htmx for partial updates and Chart.js for charts,
both vendored under `static/vendor/` with their licences. A person signs in with the API's own login (its
credentials, lockout and rate limit); the session is a pair of HttpOnly cookies holding the API's own access
and refresh tokens, so a page runs under the same `Tenant` principal, roles and revocations as the API.
"""
