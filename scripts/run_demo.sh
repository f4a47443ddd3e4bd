#!/usr/bin/env bash
# Starts a Celery worker (with its beat scheduler) and the development server; stops both on exit.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}  # links in e-mails point at this server
mkdir -p var/celery
# -Q: the default queue (e-mails) and the reports queue (issue 6), both in this one worker.
"$BIN/celery" -A config worker --beat -Q celery,reports --loglevel=INFO --concurrency=2 >var/celery/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Celery worker started (pid $worker, log: var/celery/worker.log)"
echo "Open http://127.0.0.1:$PORT/ — demo accounts in README.md, password: demo"
"$BIN/python" manage.py runserver "127.0.0.1:$PORT"
