# doingwith in a container: docker build -t doingwith . && docker run -e TELEGRAM_BOT_TOKEN=... -v doingwith-data:/data doingwith
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DOINGWITH_DB=/data/doingwith.db

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
# run_polling stops cleanly on SIGTERM (docker stop): persistence written, database closed.
ENTRYPOINT ["doingwith"]
CMD ["run"]
