# doingwith in a container: docker build -t doingwith . && docker run -e TELEGRAM_BOT_TOKEN=... -v doingwith-data:/data doingwith
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DOINGWITH_DB=/data/doingwith.db

# Letters of scripts DejaVu (which matplotlib ships) lacks, for the poster and charts:
# Noto covers Urdu, Punjabi (Gurmukhi), Hindi, Bengali and more; not Chinese or Japanese
# (fonts-noto-cjk, about 100 MB more, if a workshop needs them).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 doingwith \
    && mkdir -m 0700 /data \
    && chown doingwith:doingwith /data

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY handlers ./handlers
COPY conversations ./conversations
COPY chat ./chat
COPY domain ./domain
COPY storage ./storage
COPY examples ./examples
# The versions CI tested (constraints.txt), not whatever is newest today.
RUN pip install -c constraints.txt .

USER doingwith
VOLUME ["/data"]
# Healthy while the bot's jobs keep ticking (they write a heartbeat every 30 s); needs no
# network, only the database in the volume.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["doingwith", "health", "--within", "120"]
# run_polling stops cleanly on SIGTERM (docker stop): the outbox worker stops claiming,
# the send in flight finishes, persistence is written and the database closed, in about a
# second.
ENTRYPOINT ["doingwith"]
CMD ["run"]
