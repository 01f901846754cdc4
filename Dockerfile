FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mdna mdna
COPY dispositifs dispositifs
COPY instruction instruction
COPY paiements paiements
COPY editiques editiques
RUN pip install --no-cache-dir .
COPY . .
RUN MDNA_ENV=production SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home mdna && mkdir -p /var/lib/mdna/media && chown -R mdna /var/lib/mdna
USER mdna
EXPOSE 8000
