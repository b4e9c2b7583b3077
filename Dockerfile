# The assess HTTP API. Built by docker-compose.yml; serves on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 assess

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p domain/schemes application infrastructure api/routers cli demo \
    && pip install . \
    && pip uninstall -y assess

COPY domain ./domain
COPY application ./application
COPY infrastructure ./infrastructure
COPY api ./api
COPY cli ./cli
COPY demo ./demo
RUN pip install --no-deps .

USER assess
ENV ASSESS_HOST=0.0.0.0 \
    ASSESS_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["assess", "serve"]
