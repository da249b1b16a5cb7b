# The platform in a container (README: "Running it for real"). Two stages: the build with every
# dependency (better-sqlite3 compiles from source), then a runtime with the production ones only,
# as a non-root user, the database and its backups on the /data volume.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/data/delphi.sqlite \
    BACKUP_DIR=/data/backups \
    BACKUP_EVERY_HOURS=24 \
    BACKUP_KEEP=7
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data/backups && chown -R node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "build/index.js"]
