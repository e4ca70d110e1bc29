FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time and served by whitenoise under gunicorn.
RUN DEBUG=false SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput

RUN useradd --create-home tracker
USER tracker
EXPOSE 8000
# Bind, workers, logging, the workers' start-up and their database session: gunicorn.conf.py.
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
