# Customer Insight: the dashboard under gunicorn, with the system libraries for PDF reports (WeasyPrint:
# Pango, fonts) and Chromium (chart rendering for reports, browser tests).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CUSTOMER_INSIGHT_DATA_DIR=/data

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY etl ./etl
COPY warehouse ./warehouse
COPY dashapp ./dashapp
COPY cli ./cli
COPY insight ./insight
COPY reports ./reports
COPY appstate ./appstate
COPY sql ./sql
RUN pip install --no-cache-dir -e .

RUN useradd --create-home --uid 1000 insight && mkdir -p /data && chown insight /data
USER insight
VOLUME ["/data"]
EXPOSE 8050

# Load your data first (docker run ... customer-insight load --source /data/source), or try the demo:
#   docker run -p 8050:8050 IMAGE customer-insight demo --host 0.0.0.0
CMD ["customer-insight", "serve", "--host", "0.0.0.0", "--port", "8050", "--workers", "2"]
