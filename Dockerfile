FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The system packages from the project's one list: what WeasyPrint needs for the PDFs (pango,
# HarfBuzz-subset, a font) and gettext to compile the catalogs.
COPY scripts/system_packages.sh /tmp/system_packages.sh
RUN bash /tmp/system_packages.sh docker \
    && rm -rf /var/lib/apt/lists/* /tmp/system_packages.sh \
    && useradd --create-home --uid 1000 app

WORKDIR /app
COPY . .
# Editable, so that templates/, static/ and locale/ are found beside the code.
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && python manage.py compilemessages --ignore '.venv' -v0 \
    && DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost EMAIL_URL=smtp://localhost \
       STATIC_ROOT=/app/staticfiles \
       python manage.py collectstatic --no-input -v0 \
    && mkdir -p /data/var /data/media && chown -R app:app /data

USER app
ENV DEBUG=0 STATIC_ROOT=/app/staticfiles VAR_DIR=/data/var MEDIA_ROOT=/data/media
EXPOSE 8000
# The access log leaves query strings out: a URL may carry personal data.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(B)s %(M)sms"]
